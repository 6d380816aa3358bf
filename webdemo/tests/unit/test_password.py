from oslotest import base

from webdemo.db.sqlalchemy import models
from webdemo import password


class TestPasswordHash(base.BaseTestCase):

    def test_hash_verifies_and_hides_the_password(self):
        stored = password.hash_password('hunter2')
        self.assertNotIn('hunter2', stored)
        self.assertTrue(stored.startswith('pbkdf2_sha256$'))
        self.assertTrue(password.verify_password('hunter2', stored))
        self.assertFalse(password.verify_password('hunter3', stored))

    def test_salt_makes_each_hash_different(self):
        self.assertNotEqual(password.hash_password('same'),
                            password.hash_password('same'))

    def test_garbage_hash_never_verifies(self):
        for stored in (None, '', 'plain', 'md5$1$a$b'):
            self.assertFalse(password.verify_password('x', stored))

    def test_account_stores_only_the_hash(self):
        account = models.Account(name='ops')
        account.set_password('s3cret')
        self.assertNotIn('s3cret', account.password_hash)
        self.assertTrue(account.check_password('s3cret'))
        self.assertFalse(account.check_password('other'))
