"""docs/replies.md, every reply the assistant can give, must match content/ (run `make replies`)."""

from scripts import replies_doc


def test_the_checked_in_replies_file_is_current():
    current = replies_doc.OUT.read_text(encoding="utf-8")
    assert current == replies_doc.render(), "docs/replies.md is not current: run `make replies` and commit it"


def test_the_replies_file_holds_every_reply():
    from advice.catalogue import all_replies
    from advice.content import get_content

    text = replies_doc.render()
    for name, messages in all_replies(get_content()):
        for message in messages:
            assert message.text in text, name


def test_check_mode_fails_when_the_file_is_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "replies.md"
    stale.write_text("old text\n", encoding="utf-8")
    monkeypatch.setattr(replies_doc, "OUT", stale)
    assert replies_doc.main(["--check"]) == 1
    assert "not current" in capsys.readouterr().out
    assert replies_doc.main([]) == 0
    assert replies_doc.main(["--check"]) == 0
