"""The load test posts what a browser would: the values of the right form of a page."""

import pytest

from loadtest.accounts import recovery_code, usernames
from loadtest.forms import csrf_token, form_values

PAGE = """
<form method="post" action="/i18n/setlang/"><input name="language" value="nl-be"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="radio" name="channel" value="phone" checked>
  <input type="radio" name="channel" value="chat">
  <input type="radio" name="theme" value="" checked>
  <input type="checkbox" name="follow_up" value="1">
  <select name="site"><option value="1">A</option><option value="2" selected>B</option></select>
  <textarea name="notes"></textarea>
  <input type="submit" name="save" value="Opslaan">
  <input name="victims-TOTAL_FORMS" value="1">
</form>
"""


def test_the_form_with_the_field_asked_for_is_read_as_a_browser_would_post_it():
    assert form_values(PAGE, having="victims-TOTAL_FORMS") == {
        "csrfmiddlewaretoken": "tok",
        "channel": "phone",
        "theme": "",
        "site": "2",
        "notes": "",
        "victims-TOTAL_FORMS": "1",
    }
    assert form_values(PAGE, having="language") == {"language": "nl-be"}
    with pytest.raises(ValueError, match="no form"):
        form_values(PAGE, having="username")


def test_the_csrf_token_is_read_from_the_page():
    assert csrf_token(PAGE) == "tok"
    with pytest.raises(ValueError, match="no CSRF token"):
        csrf_token("<form></form>")


def test_load_users_have_distinct_recovery_codes_in_the_real_format():
    names = [name for group in usernames().values() for name in group]
    assert len(names) == 22
    codes = {recovery_code(name, n) for name in names for n in range(20)}
    assert len(codes) == 22 * 20
    assert all(len(code) == 8 and code.isalnum() and code.islower() for code in codes)
