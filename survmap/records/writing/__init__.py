"""The records write path: every writer (importers, approvals, undo, the admin) hands plans or an
edit to these modules, and `survmap.records.services` is their public face.

    values.py      a plan's values, by model field name
    matching.py    which agency, source, partnership, technology or vendor a plan means
    rows.py        one plan written: the merge policy field by field, history, provenance
    batch.py       many rows' plans, in bulk where it can (`_inserts`, `_collector`)
    edit.py        a person's edit of one record (the admin)
    undo.py        taking back a journal, restoring a history entry, deleting with a reason
    conflicts.py   a moderator's decision on a conflict
    events.py      policy events (research)

Arrows point down the list's dependencies only: batch uses rows, rows uses matching and values;
nothing here imports batch but the facade.
"""
