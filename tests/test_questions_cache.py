"""The bank cache: load_banks gives what parsing gives, and never a bank that has changed."""

import json
import os

import pytest

from mockview import questions
from mockview.errors import BankError
from mockview.questions import bank_cache_path, load_bank, load_banks

#: A time well in the past for bank files, so the cache may keep them.
OLD_NS = 1_700_000_000 * 10**9


def bank(name, text="Tell me about yourself.", target='[60, 90]'):
    return (f'[bank]\nname = "{name}"\n[[questions]]\nid = "{name}-q"\ntext = "{text}"\n'
            f'category = "self-introduction"\nkind = "intro"\ntarget_s = {target}\n'
            f'tips = ["Be brief."]\nkeywords = ["Team"]\n')


def user_bank(home, name, content, *, mtime_ns=OLD_NS):
    path = home / "banks" / f"{name}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


@pytest.fixture
def parsed(monkeypatch):
    """The names of the bank files load_banks parses (rather than finds in the cache)."""
    names = []
    real = questions.load_bank

    def counting(path):
        names.append(path.name)
        return real(path)

    monkeypatch.setattr(questions, "load_bank", counting)
    return names


def fresh():
    """The banks as parsing gives them, bypassing the cache."""
    return tuple(load_bank(p) for p in
                 [*questions.bundled_bank_paths(), *questions.user_bank_paths()])


def test_a_second_load_parses_nothing_and_gives_the_same_banks(mockview_home, parsed):
    user_bank(mockview_home, "mine", bank("mine", target="[45.5, 70]"))
    first = load_banks(cached=True)
    assert len(parsed) == len(first)
    assert bank_cache_path().stat().st_mode & 0o777 == 0o600
    assert bank_cache_path().parent.stat().st_mode & 0o777 == 0o700
    parsed.clear()
    second = load_banks(cached=True)
    assert parsed == []
    assert second == first == fresh()
    target = second[-1].questions[0].target_s
    assert target == (45.5, 70) and type(target[1]) is int


def test_a_bank_edited_in_place_is_read_again(mockview_home, parsed):
    path = user_bank(mockview_home, "mine", bank("mine", text="Tell me about yourself."))
    load_banks(cached=True)
    parsed.clear()
    # same size, another time: what an editor's quick save can look like
    user_bank(mockview_home, "mine", bank("mine", text="Tell me about your team."),
              mtime_ns=OLD_NS + 1)
    banks = load_banks(cached=True)
    assert parsed == ["mine.toml"]
    assert banks[-1].questions[0].text == "Tell me about your team."
    assert banks[-1].path == path


def test_a_new_bank_is_read_and_a_removed_one_dropped(mockview_home, parsed):
    user_bank(mockview_home, "aaa", bank("aaa"))
    load_banks(cached=True)
    parsed.clear()
    user_bank(mockview_home, "bbb", bank("bbb"))
    assert [b.name for b in load_banks(cached=True)][-2:] == ["aaa", "bbb"]
    assert parsed == ["bbb.toml"]
    (mockview_home / "banks" / "aaa.toml").unlink()
    parsed.clear()
    assert [b.name for b in load_banks(cached=True)][-1] == "bbb"
    assert parsed == []
    assert not any("aaa.toml" in name for name in
                   json.loads(bank_cache_path().read_text(encoding="utf-8"))["banks"])


def test_a_bank_modified_just_now_is_not_kept(mockview_home, parsed):
    user_bank(mockview_home, "mine", bank("mine"), mtime_ns=None)  # now
    load_banks(cached=True)
    parsed.clear()
    load_banks(cached=True)
    assert parsed == ["mine.toml"]


def test_a_broken_bank_is_never_kept(mockview_home, parsed):
    user_bank(mockview_home, "mine", bank("mine"))
    load_banks(cached=True)
    user_bank(mockview_home, "mine", bank("mine").replace("intro", "chat"), mtime_ns=OLD_NS + 1)
    for _ in range(2):
        with pytest.raises(BankError, match="'kind' must be one of"):
            load_banks(cached=True)


def test_a_clash_with_a_cached_bank_is_still_found(mockview_home):
    user_bank(mockview_home, "mine", bank("mine"))
    load_banks(cached=True)
    user_bank(mockview_home, "other", bank("mine").replace('name = "mine"', 'name = "other"'))
    with pytest.raises(BankError, match="'mine-q': id already used in"):
        load_banks(cached=True)


def test_other_code_drops_the_cache(mockview_home, parsed, monkeypatch):
    load_banks(cached=True)
    parsed.clear()
    monkeypatch.setattr(questions, "BANK_CACHE_FORMAT", questions.BANK_CACHE_FORMAT + 1)
    load_banks(cached=True)
    assert len(parsed) == len(questions.bundled_bank_paths())


@pytest.mark.parametrize("content", ["{not json", "[]", '{"code": 1}',
                                     "CODE_WITH_BAD_ENTRIES"])
def test_a_damaged_cache_is_parsed_around_and_replaced(mockview_home, parsed, content):
    load_banks(cached=True)
    if content == "CODE_WITH_BAD_ENTRIES":
        data = json.loads(bank_cache_path().read_text(encoding="utf-8"))
        for entry in data["banks"].values():
            entry["bank"]["questions"] = [["too", "short"]]
        content = json.dumps(data)
    bank_cache_path().write_text(content, encoding="utf-8")
    parsed.clear()
    assert load_banks(cached=True) == fresh()
    assert len(parsed) == len(questions.bundled_bank_paths())
    parsed.clear()
    load_banks(cached=True)
    assert parsed == []


def test_an_unwritable_cache_costs_only_the_parsing(mockview_home, parsed):
    (mockview_home / "cache").write_text("a file where the directory would go")
    assert load_banks(cached=True) == fresh()
    assert load_banks(cached=True) == fresh()
    assert len(parsed) == 2 * len(questions.bundled_bank_paths())


def test_a_cache_file_that_cannot_be_replaced_leaves_nothing_behind(mockview_home):
    bank_cache_path().mkdir(parents=True)  # a directory where the file would go
    assert load_banks(cached=True) == fresh()
    assert [p.name for p in (mockview_home / "cache").iterdir()] == ["banks.json"]


def test_no_data_directory_is_made_for_the_cache(tmp_path, monkeypatch, parsed):
    monkeypatch.setenv("MOCKVIEW_HOME", str(tmp_path / "nowhere"))
    assert load_banks(cached=True) == fresh()
    assert not (tmp_path / "nowhere").exists()


def test_without_cached_nothing_is_read_or_written(mockview_home, parsed):
    load_banks(cached=True)
    parsed.clear()
    before = bank_cache_path().read_bytes()
    user_bank(mockview_home, "mine", bank("mine"))
    assert load_banks() == fresh()
    assert len(parsed) == len(questions.bundled_bank_paths()) + 1
    assert bank_cache_path().read_bytes() == before
