"""Kakehashi benchmarks: ``make bench`` runs them through ``benchmarks/run.py``.

Each benchmark is a module with a ``NAME`` and a ``run(options) -> Outcome`` function,
registered in ``run.py``. ``server`` starts the production WSGI server on loopback,
``load`` drives it with a bounded load generator and ``harness`` records the results.
"""
