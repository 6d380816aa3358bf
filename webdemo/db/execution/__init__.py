"""Running a plan of revisions: the runner, the version rows and the journal
it writes, the statement tracking, offline SQL, and the one adapter for
library internals."""
