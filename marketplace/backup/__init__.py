"""Backup and restore of an instance (RELIABILITY 8): ``flask backup FILE`` while the server runs, ``flask restore
FILE`` into a fresh instance.

A backup is one tar archive (gzip-compressed when its name ends in ``.gz`` or ``.tgz``) holding

- ``database/marketplace.sqlite3`` (a consistent copy made with SQLite's online backup API) or
  ``database/marketplace.pgdump`` (``pg_dump`` custom format, taken in an exported snapshot);
- ``uploads/<stored name>``: the file of every attachment row of that database snapshot;
- ``search/synonyms.txt``, ``search/user_dict.txt``: the administrators' search dictionaries, when present;
- ``manifest.json`` (:mod:`.manifest`): format version, creation time, database kind and dumping tool, migration
  revision, row counts per table of the snapshot, and the size and SHA-256 of every file in the archive.

The search index is not in it: it is derived from the database, and rebuilt after a restore (``flask search
reindex``, or ``flask restore --reindex``).
"""
