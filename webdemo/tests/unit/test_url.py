from oslotest import base

from webdemo.db import url


class TestDisplay(base.BaseTestCase):

    def test_password_is_masked(self):
        self.assertEqual(
            'mysql+pymysql://u:***@db.example/webdemo',
            url.display('mysql+pymysql://u:pw@db.example/webdemo'))

    def test_url_without_password_is_unchanged(self):
        self.assertEqual('sqlite:////var/lib/webdemo/webdemo.db',
                         url.display('sqlite:////var/lib/webdemo/webdemo.db'))

    def test_unparseable_value_is_not_shown(self):
        shown = url.display('garbage with secret')
        self.assertNotIn('secret', shown)

    def test_empty(self):
        self.assertEqual('(empty)', url.display(''))


class TestRedact(base.BaseTestCase):

    def test_every_occurrence_is_masked(self):
        text = 'failed for pw at host; pw again'
        self.assertEqual('failed for *** at host; *** again',
                         url.redact(text, 'postgresql://u:pw@host/db'))

    def test_password_of_unparseable_url_is_still_found(self):
        self.assertEqual('x ***',
                         url.redact('x pa55', 'not a url://u:pa55@h/d'))

    def test_no_password_leaves_text(self):
        self.assertEqual('text', url.redact('text', 'sqlite:///x.db'))
