"""Inbound e-mail: replies to the thread reply addresses, read from IMAP, a Maildir or
standard input (``kakehashi mail``), filed into their thread or put in the desk's
triage queue. ``reading`` parses, ``analysis`` decides, ``actions`` changes,
``sources`` reads mailboxes, ``access`` guards the triage screens (``messaging.triage``).
"""
