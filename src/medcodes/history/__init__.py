"""Each code's history: dated changes, successors, Medicare Code Editor edits, and its status
(active, deleted, terminated, possibly outdated) today or on a date of service."""
