"""Fava for auditors and finance officers.

* :mod:`studiofund.web.fava_extension` — the 经费合规 page (a Fava extension every ledger declares);
* :mod:`studiofund.web.app` — ``studiofund serve``'s WSGI app: Fava behind the login middleware
  (:mod:`.auth`), the role rules (:mod:`.rules`), the per-user ledger scope (:mod:`.scope`) and
  the document-folder confinement (:mod:`.guards`); users live in a users file (:mod:`.users`).
"""
