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

    def test_a_password_in_the_query_is_masked(self):
        self.assertEqual(
            'postgresql://u@h/d?password=***&sslmode=require',
            url.display('postgresql://u@h/d?password=pw&sslmode=require'))
        self.assertEqual('mysql+pymysql://u@h/d?passwd=***',
                         url.display('mysql+pymysql://u@h/d?passwd=pw'))
        self.assertEqual(
            'postgresql://u@h/d?sslpassword=***',
            url.display('postgresql://u@h/d?sslpassword=key'))

    def test_a_misread_url_is_not_shown(self):
        for misread in ('mysql+pymysql://u:p@secret@h/d',
                        'mysql+pymysql://u:p/x@secret@h/d',
                        'postgresql://u:p?x@secret@h/d'):
            with self.subTest(url=misread):
                self.assertNotIn('secret', url.display(misread))


class TestMisread(base.BaseTestCase):

    def test_an_unencoded_at_puts_the_password_in_the_host(self):
        self.assertIn('%40', url.misread('mysql+pymysql://u:p@ss@h/d'))

    def test_a_slash_for_the_at_puts_it_in_the_port(self):
        self.assertIn('port is not a number',
                      url.misread('mysql+pymysql://u:secret/h/d'))

    def test_an_unencoded_question_mark_is_no_way_round(self):
        self.assertIn('%3F', url.misread('postgresql://u:p?x@secret@h/d'))

    def test_good_urls_and_file_paths_are_read(self):
        for good in ('mysql+pymysql://u:p%40ss@h:3306/d?charset=utf8mb4',
                     'postgresql://u@/d?host=/run/postgresql',
                     'mysql+pymysql://u:p@[::1]:3306/d',
                     'mysql+pymysql://u:p@h/db@x',
                     'postgresql://user@server:p@server.example.org/d',
                     'sqlite:////srv/a@b/c@d.db', 'not a url at all'):
            with self.subTest(url=good):
                self.assertIsNone(url.misread(good))


class TestRedact(base.BaseTestCase):

    def test_every_url_password_is_masked(self):
        text = ('cannot connect to postgresql://u:pw@host/db; '
                'mysql+pymysql://v:other@h2/d; dsn host=h password=pw x')
        self.assertEqual(
            'cannot connect to postgresql://u:***@host/db; '
            'mysql+pymysql://v:***@h2/d; dsn host=h password=*** x',
            url.redact(text, 'postgresql://u:pw@host/db'))

    def test_the_same_letters_elsewhere_are_left(self):
        for secret, text in (
                ('p', 'mysql+pymysql://u:p@h/d: attempt failed'),
                ('postgres', 'postgresql://postgres:postgres@h/postgres: '
                             'role "postgres" does not exist'),
                ('database', "mysql://u:database@h/db: database 'db' is "
                             'missing')):
            with self.subTest(secret=secret):
                configured = f'mysql+pymysql://u:{secret}@h/d'
                masked = url.redact(text, configured)
                self.assertEqual(text.replace(f':{secret}@', ':***@', 1),
                                 masked)

    def test_password_of_unparseable_url_is_still_masked(self):
        self.assertEqual('not a url://u:***@h/d',
                         url.redact('not a url://u:pa55@h/d',
                                    'not a url://u:pa55@h/d'))

    def test_a_query_password_is_masked_and_a_masked_one_left(self):
        configured = 'postgresql://u@h/d?password=pw'
        self.assertEqual(
            'at postgresql://u@h/d?password=***: refused; password=***',
            url.redact('at postgresql://u@h/d?password=***: refused; '
                       'password=pw', configured))

    def test_a_password_that_begins_like_the_mask_is_masked(self):
        configured = 'postgresql://u:***pw@h/d'
        self.assertEqual(
            'failed for postgresql://u:***@h/d; password=*** host=h',
            url.redact('failed for postgresql://u:***pw@h/d; '
                       'password=***pw host=h', configured))

    def test_a_pair_password_is_masked_whole(self):
        self.assertEqual(
            'dsn: password=*** host=h',
            url.redact('dsn: password=a/b@c host=h',
                       'postgresql://u@h/d?password=a/b@c'))

    def test_no_password_leaves_text(self):
        self.assertEqual('text', url.redact('text', 'sqlite:///x.db'))
