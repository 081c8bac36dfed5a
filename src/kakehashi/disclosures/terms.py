"""The default confidentiality terms offered when a disclosure is recorded or asked for.

Guideline IV.4.8 binds critical-infrastructure recipients (and their contractors) to
secrecy and to using the information only to protect that infrastructure; IV.5.9
binds a vendor's users the same way until the public date. The coordinator edits
the text per disclosure; what was agreed is stored with each disclosure.
"""

DEFAULT_TERMS_JA = """\
1. 本情報は、一般公表日まで秘密として扱い、受領者（その業務委託先を含む）以外に開示しないこと。
2. 本情報は、受領者が運用するシステムの防護（対策の適用を含む）の目的にのみ利用すること。
3. 受領者の業務委託先に本情報を共有する場合は、本条件と同等の秘密保持義務を課すこと。
4. 一般公表日より前に本情報が漏えいしたおそれがある場合は、直ちに調整機関に連絡すること。
5. 一般公表日以降は、公表された範囲で本情報を扱うことができる。
"""

DEFAULT_TERMS_EN = """\
1. Keep this information secret until the public date and disclose it to no one but the \
recipient (including its contractors).
2. Use it only to protect the systems the recipient operates, including applying the fix.
3. Bind any contractor it is shared with to confidentiality at least as strict as these terms.
4. Tell the coordinator at once if the information may have leaked before the public date.
5. From the public date, the information may be used as far as it has been published.
"""
