"""Search administration for platform admins: engine status, editable synonyms and user dictionary, reindex."""
