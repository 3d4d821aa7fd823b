"""The reading log's model, shared by the commands (tools/new_week, new_paper, import_post,
extract) and the site's hooks: front matter, paper notes, weekly reports, old posts, the notes'
exported code, BibTeX, files written all or nothing, and command lines. Nothing here imports
another room of tools/."""
