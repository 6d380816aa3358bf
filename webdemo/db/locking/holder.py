"""Who holds the migration lock, as waiters are shown it."""

import dataclasses
import datetime
import os
import socket


@dataclasses.dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    command: str
    since: str

    @classmethod
    def this_process(cls, command):
        since = datetime.datetime.now(datetime.timezone.utc)
        return cls(socket.gethostname(), os.getpid(), command,
                   since.isoformat(timespec='seconds'))

    def __str__(self):
        return (f'{self.command} on {self.host}, pid {self.pid}, since '
                f'{self.since}')
