"""Walking the revision history one revision at a time, for the migration
tests (and tools/db_benchmark.py, which times the steps)."""

from webdemo.db.execution.journal import Direction
from webdemo.db.history import checkpoint_plan
from webdemo.db.history import checkpoints
from webdemo.db.history import phases
from webdemo.db.history import scripts as scripts_module

# The shipped history's heads: the projects change's expand revision,
# and the contract revision comparing usernames exactly.
EXPAND_HEAD, CONTRACT_HEAD = 'dba815cb5924', 'a392e388916b'


def walk_order(scripts=None):
    """Every revision kept, base first, parents before children.

    A revision a release retired into a checkpoint has no script to
    walk: the walk starts from that checkpoint (walk_base()).
    """
    scripts = scripts or scripts_module.Scripts.load()
    return [script for script in reversed(scripts.walk())
            if not script.retired_in]


def walk_base(scripts):
    """The checkpoint standing for every retired revision, or None."""
    retired = {script.revision for script in scripts.walk()
               if script.retired_in}
    if not retired:
        return None
    return min((checkpoint for checkpoint in checkpoints.load()
                if retired <= checkpoint.revisions),
               key=lambda checkpoint: len(checkpoint.covered))


def phase_of(script):
    """phases.EXPAND or phases.CONTRACT for a branch revision, else None."""
    for phase in phases.PHASES:
        if phase in script.branch_labels:
            return phase
    return None


class Walker:
    """Applies or reverts single revisions through env.py.

    The scripts are loaded once, so that a step costs the same at the
    thousandth revision as at the first (alembic.command would read
    every revision file again for each step).
    """

    def __init__(self, engine, scripts=None):
        self.engine = engine
        self.scripts = scripts or scripts_module.Scripts.load()

    def up(self, script):
        self._step(script, Direction.UPGRADE)

    def down(self, script):
        self._step(script, Direction.DOWNGRADE)

    def build(self, checkpoint):
        """Build the empty database from checkpoint (walk_base())."""
        self._step(checkpoint_plan.Script(checkpoint), Direction.UPGRADE)

    def _step(self, script, direction):
        with self.engine.connect() as connection:
            steps = self.scripts.steps(script, direction)
            self.scripts.run_env(scripts_module.alembic_config(connection),
                                 lambda heads, context: steps)
            connection.commit()
