"""Platform administration (/admin): the overview, users (platform roles, suspension) and organisations
(verification, suspension, merging duplicates). Every operation is for platform admins and is audited."""
