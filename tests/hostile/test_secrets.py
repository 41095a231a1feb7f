"""Secrets in pages: found in every common form, never stored in the index nor served."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import ROOT, write

from kb.build import build_index
from kb.cli import cli
from kb.config import Settings
from kb.content.check import check_content
from kb.serve.api import create_app

CORPUS = ROOT / "tests" / "fixtures" / "secrets"
AWS_ID = "AKIAQ3EGRTZ5NXLPWD7K"
AWS_SECRET = "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"
GH_TOKEN = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543"
SECRETS = (AWS_ID, AWS_SECRET, GH_TOKEN)
LEAKY = f"""---
title: Deploy credentials
authors: [Dee Park]
team: platform
---
## Deploy from a laptop

To deploy the billing service from a laptop, export the deploy credentials first:

aws_access_key_id = {AWS_ID}
aws_secret_access_key = {AWS_SECRET}
export GITHUB_TOKEN={GH_TOKEN}

Then run the deploy script and watch the billing dashboard.
"""


def _cases(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


def _flagged(tmp_path: Path, lines: list[str]) -> set[int]:
    """Indexes into `lines` of the ones `kb check` reports as a secret."""
    root = tmp_path / "pages"
    body = "\n".join(lines)
    write(root / "corpus.md", f"---\ntitle: Corpus\nauthors: [Dee Park]\n---\n{body}\n")
    found = check_content(root)
    return {f.line - 4 for f in found if f.rule == "secret"}


def _only_the_last_flagged_in_time(tmp_path: Path, lines: list[str]) -> None:
    """Lines that never reach a value, then a secret: scanned in seconds (a backtracking
    pattern takes minutes on a 100,000-character line), only the secret flagged."""
    start = time.process_time()
    found = _flagged(tmp_path, lines)
    assert time.process_time() - start < 10
    assert found == {len(lines)}


def _no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in text.lower()


def test_secrets_in_a_page_are_never_indexed_nor_served(tmp_path, monkeypatch, real_embedder):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "platform/deploy.md", LEAKY)
    monkeypatch.setattr("kb.embed.base.load_embedder", lambda *a, **k: real_embedder)
    runner = CliRunner()
    res = runner.invoke(cli, ["index", str(content), "--index-dir", str(index_dir)])
    assert res.exit_code == 0, res.output
    assert "platform/deploy.md:10:" in res.output and "AWS access key ID" in res.output
    for query in ("deploy credentials aws access key", AWS_ID, GH_TOKEN):
        res = runner.invoke(cli, ["search", query, "--index-dir", str(index_dir), "--json"])
        assert res.exit_code == 0 and "deploy.md" in res.output
        _no_secret_in(res.output)
        assert "AKIA…[redacted]" in res.output or "ghp_…[redacted]" in res.output
    api = TestClient(create_app(index_dir))
    hits = api.get("/search", params={"q": "aws access key for deploying billing"})
    assert hits.status_code == 200 and hits.json()[0]["path"] == "platform/deploy.md"
    _no_secret_in(hits.text)
    assert "[redacted]" in hits.text
    # Nothing in the index folder holds a secret: chunks, pages, BM25 terms, manifest.
    for file in index_dir.rglob("*"):
        if file.is_file():
            _no_secret_in(file.read_bytes().decode("utf-8", "replace"))


def test_a_token_escaped_as_kb_import_writes_it_is_redacted_as_markdown_shows_it(
    tmp_path, real_embedder
):
    # markdownify (kb import's HTML, Word and Confluence converter) writes `_` as `\_`: the
    # page's bytes hold `ghp\_R4nd...`, the page as Markdown shows it the token.
    stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    write(
        tmp_path / "export/ci-setup.html",
        f"<h1>CI setup</h1><p>The deploy job pushes with the bot token {GH_TOKEN} until it"
        f" moves to the vault.</p><p>Billing charges cards with {stripe} for now.</p>",
    )
    content, index_dir = tmp_path / "content", tmp_path / "index"
    res = CliRunner().invoke(
        cli, ["import", str(tmp_path / "export"), "--into", str(content), "--team", "platform"]
    )
    assert res.exit_code == 0, res.output
    imported = (content / "platform/ci-setup.md").read_text(encoding="utf-8")
    assert GH_TOKEN.replace("_", "\\_") in imported  # as the converter writes it
    line = imported.splitlines().index(next(x for x in imported.splitlines() if "ghp" in x)) + 1
    bodies = (GH_TOKEN.removeprefix("ghp_"), stripe.removeprefix("sk_live_"))

    findings = [f for f in check_content(content) if f.rule == "secret"]
    assert [(f.path, f.line) for f in findings][:1] == [("platform/ci-setup.md", line)]
    assert len(findings) == 2 and all(b not in f.message for f in findings for b in bodies)
    report = build_index(content, index_dir, real_embedder, Settings())
    said = [str(p) for p in report.problems]
    assert any(p.startswith(f"platform/ci-setup.md:{line}: possible GitHub token") for p in said)
    hits = TestClient(create_app(index_dir)).get("/search", params={"q": "deploy job bot token"})
    assert hits.status_code == 200 and hits.json()[0]["path"] == "platform/ci-setup.md"
    assert "[redacted]" in hits.text and not any(b in hits.text for b in bodies)
    for file in index_dir.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", "replace")
            assert not any(b in text for b in bodies), file.name


def test_a_token_written_with_character_references_or_invisible_characters_is_redacted(
    tmp_path, real_embedder
):
    # A Markdown page shows `&#103;` as g and a zero-width space as nothing: each of these
    # lines shows a token to its reader, and every byte of the index held it.
    stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    slack = "xoxb-2048151256-4096302512-Xq7Lm2Np9Rt4Vw8Yz3Bc6Df1"
    forms = [
        f"The deploy bot pushes with &#103;{GH_TOKEN[1:]} until the vault move.",
        f"Billing charges cards with sk&lowbar;live&#x5F;{stripe[8:]} for now.",
        f"The old bot token {GH_TOKEN[:9]}\u200b{GH_TOKEN[9:]} still works.",
        f"Alerts post with {slack[:12]}\u00ad{slack[12:30]}\u200d{slack[30:]} in chat.",
        f"A copy with a byte order mark: {stripe[:10]}\ufeff{stripe[10:]} in the runbook.",
        f"Its last letter as a reference: {GH_TOKEN[:-1]}&#51; ends here.",
        # Default ignorable, though marks (Mn, not Cf): they show as nothing too.
        f"Staging pushes with {GH_TOKEN[:12]}\ufe0f{GH_TOKEN[12:]} as well.",
        f"The copy in the wiki: {stripe[:9]}\U000e0100{stripe[9:20]}\u034f{stripe[20:]} too.",
    ]
    body = "\n\n".join(forms)
    page = f"---\ntitle: Chat bots\nauthors: [Dee Park]\n---\n## Deploy bot\n\n{body}\n"
    write(tmp_path / "content/platform/bots.md", page)
    content, index_dir = tmp_path / "content", tmp_path / "index"
    lines = [n for n, x in enumerate(page.split("\n"), 1) if any(f == x for f in forms)]
    bodies = ("R4nd0mT0k3nV4lu3F0rT3st1ng", "4eC39HqLyjWDarjtT1zdp", "Xq7Lm2Np9Rt4Vw8Yz3Bc6Df1")

    findings = [f for f in check_content(content) if f.rule == "secret"]
    assert [f.line for f in findings] == lines
    assert all(b not in f.message for f in findings for b in bodies)
    report = build_index(content, index_dir, real_embedder, Settings())
    said = {p.line for p in report.problems if "possible" in p.message}
    assert said == set(lines)
    hits = TestClient(create_app(index_dir)).get("/search", params={"q": "deploy bot pushes"})
    assert hits.status_code == 200 and hits.json()[0]["path"] == "platform/bots.md"
    assert "[redacted]" in hits.text
    for file in index_dir.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", "replace")
            assert "#51;" not in text, file.name  # the redaction takes the whole reference
            # Read as shown: no reference nor invisible character may hide a token's body.
            hiding = ("\u200b", "\u200d", "\u00ad", "\ufeff", "\ufe0f", "\U000e0100", "\u034f")
            for c in (*hiding, "&#51;", "&#x5F;", "&lowbar;"):
                text = text.replace(c, "")
            assert not any(b in text for b in bodies), file.name


def test_a_secret_written_with_yaml_escapes_is_redacted_as_yaml_reads_it(tmp_path, real_embedder):
    # The page's bytes hold no key ("\\x41KIA..."): only YAML's reading of them does.
    escaped = AWS_ID.replace("A", "\\x41", 1)
    write(
        tmp_path / "content/platform/legacy.md",
        f'---\ntitle: Legacy bucket\nauthors: [Dee Park]\ndescription: "Key {escaped} for the'
        ' legacy bucket"\n---\n## Legacy bucket\n\nThe legacy bucket holds old invoices.\n',
    )
    index_dir = tmp_path / "index"
    report = build_index(tmp_path / "content", index_dir, real_embedder, Settings())
    said = [str(p) for p in report.problems]
    assert any(p.startswith("platform/legacy.md:4: possible AWS access key ID") for p in said)
    api = TestClient(create_app(index_dir))
    hits = api.get("/search", params={"q": "key for the legacy bucket"})
    assert hits.status_code == 200 and hits.json()[0]["path"] == "platform/legacy.md"
    _no_secret_in(hits.text)
    for file in index_dir.rglob("*"):
        if file.is_file():
            _no_secret_in(file.read_bytes().decode("utf-8", "replace"))


def test_a_secret_in_a_tagged_or_keyed_front_matter_value_is_redacted():
    import base64

    from kb.content.parse import parse_markdown

    hidden, escaped = base64.b64encode(AWS_ID.encode()).decode(), AWS_ID.replace("A", "\\x41", 1)
    for field in (
        f"title: !!binary {hidden}",
        f"title: !<tag:yaml.org,2002:binary> {hidden}",  # a verbatim tag has no "!!"
        f'tags: !!set {{"{escaped}"}}',
        f'tags: !!pairs [{{"{escaped}": 1}}]',
        f'summary: {{"{escaped}": 1}}',  # a key (a map is no summary: nothing of it shown)
    ):
        raw = f"---\n{field}\n---\n## Keys\nRotate them.\n".encode()
        doc, problems = parse_markdown(raw, "ops/keys.md")
        shown = " ".join((doc.title, doc.summary, *doc.tags))
        assert AWS_ID not in shown, field
        assert ("AKIA…[redacted]" in shown) != field.startswith("summary"), field
        said = [str(p) for p in problems]
        assert any(p.startswith("ops/keys.md:2: possible AWS access key ID") for p in said), field


def test_a_credential_under_a_table_header_naming_it_is_redacted():
    from kb.content.secrets import redact

    table = (
        "| Service | User | Password | Notes |\n|---|---|---|---|\n"
        "| Jenkins | admin | Jk8#mQ2vLp9 | rotate yearly |\n"
        "| Grafana | viewer | see the vault | |\n| Nexus | ci | `string` | 12 chars |\n"
        "\n| Field | Type | Description |\n|---|---|---|\n| password | string | Hashed |\n"
    )
    text, found = redact(table)
    assert [(s.line, s.kind) for s in found] == [(3, "password")]
    assert "Jk8#mQ2vLp9" not in text and "| Jenkins | admin | [redacted] | rotate yearly |" in text
    assert "see the vault" in text and "`string`" in text and "| password | string |" in text
    # Confluence's and DokuWiki's header cells; a first row holding a value names no column.
    for header in ("|| Login || Password ||", "^ Login ^ Password ^"):
        assert redact(f"{header}\n| admin | Adm1n!2024 |")[0].endswith("| admin | [redacted] |")
    # A column of credentials holds passwords (prose and paths in it are kept).
    creds = "| Host | Account | Credentials |\n|---|---|---|\n| db01 | sa | Wint3rJump! |\n"
    creds += "| db02 | sa | see the vault |\n| db03 | sa | /secret/db |"
    assert [(s.line, s.kind) for s in redact(creds)[1]] == [(3, "password")]
    pairs = "| Password | Hunter2x! |\n|---|---|\n| IPv4 | 10.0.0.1 |\n| Port2 | 5432 |"
    assert [(s.line, s.start) for s in redact(pairs)[1]] == [(1, 13)]


def test_a_header_naming_a_hash_or_something_sensitive_names_no_password():
    """'has' (of hasło) and 'sen' (of lösenord) once made any hash or sensitive key a
    password, whose value needs no generated look."""
    from kb.content.secrets import redact

    table = "| Setting | Hash secret key |\n|---|---|\n| prod | sha-256 |\n"
    sensitive = "| Env | Sensitive key |\n|---|---|\n| prod | v2-2024 |\n"
    words = "Hasło: kx-4411\nWachtwoord: kx-4412\nLösenord: kx-4413\n"
    assert redact(table)[1] == [] and redact(sensitive)[1] == []
    assert [(s.line, s.kind) for s in redact(words)[1]] == [(n, "password") for n in (1, 2, 3)]


def test_a_value_on_the_line_after_its_label_is_redacted():
    """`Password:` on one line and the value alone on a later one (after blank lines or a
    sentence, in a list item or a code block, with a note after it) is how runbooks often
    write it; a rule, a field or prose there is not one."""
    from kb.content.secrets import find_secrets, redact

    pages = {
        "Password:\n    Zq8!x2Lm": "Password:\n    [redacted]",
        "**Password:**\n\n`Zq8!x2Lm`": "**Password:**\n\n`[redacted]`",
        "API key for prod:\n\n```\nsk9Lm2QwErTy77Zx\n```": (
            "API key for prod:\n\n```\n[redacted]\n```"
        ),
        "- PIN:\n  - 4839": "- PIN:\n  - [redacted]",
        # Blank lines, a sentence or two leading to it, a note after it, a sentence as label.
        "Password:\n\n\n\n\nZq8!x2Lm": "Password:\n\n\n\n\n[redacted]",
        "Password:\n\nUse this one:\nZq8!x2Lm": "Password:\n\nUse this one:\n[redacted]",
        "**Password:**\n_(rotated monthly)_\n\n`Zq8!x2Lm`": (
            "**Password:**\n_(rotated monthly)_\n\n`[redacted]`"
        ),
        "Password:\n  Zq8!x2Lm  # rotate monthly": "Password:\n  [redacted]  # rotate monthly",
        "Password:\nZq8!x2Lm (prod)": "Password:\n[redacted] (prod)",
        "- name: DB_PASSWORD\n  value: Zq8!x2Lm  # rotate": (
            "- name: DB_PASSWORD\n  value: [redacted]  # rotate"
        ),
        "The password for the guest network is:\n\n`Zq8!x2Lm`": (
            "The password for the guest network is:\n\n`[redacted]`"
        ),
        "password: |\n  Zq8!x2Lm\n": "password: |\n  [redacted]\n",  # YAML's block scalar
        # The answer to a question naming it, in a FAQ or a chat's transcript.
        "Q: What is the guest Wi-Fi password?\nA: Gu3st2024!": (
            "Q: What is the guest Wi-Fi password?\nA: [redacted]"
        ),
        "[10:01] jdoe: what's the admin pw?\n[10:02] asmith: it's Adm1n2024": (
            "[10:01] jdoe: what's the admin pw?\n[10:02] asmith: it's [redacted]"
        ),
        "Frage: Wie lautet das WLAN-Passwort?\nAntwort: `Geheim2024!`": (
            "Frage: Wie lautet das WLAN-Passwort?\nAntwort: `[redacted]`"
        ),
    }
    for page, shown in pages.items():
        assert redact(page)[0] == shown, page
    # As kb check reads a CRLF file, with a no-break space, and a Kubernetes env in YAML.
    for page in (
        "Password:\r\nHunter2!x\r\n",
        "db.example.com:5432:mydb:app:Zq8xLm2!\r\n",
        "- name: DB_PASSWORD\r\n  value: Zq8!x2Lm\r\n",
        "Password:\u00a0\nHunter2!x",
        "```yaml\nenv:\n  - name: DB_PASSWORD\n    value: Zq8!x2Lm\n```",
    ):
        assert len(find_secrets(page)) == 1, page
    kept = (
        "Password:\n\n12 characters minimum",
        "Password:\n\nSee the vault.",
        "Password:\n\n- at least 12 characters\n- Zq8-x2-Lm",  # a list of rules
        "Token:\n\nhttps://vault.example.com/x",
        "## API key:\n\n`$API_KEY`",
        "Password reset:\n\nRb8!x2Lm",  # not a credential's name
        "The password must contain:\n\nAa1!",  # nor a sentence about it
        # A field, a numbered list, a heading or prose around it ends the wait for a value.
        "Password:\nUsername: admin\nZq8!x2Lm",
        "Password:\n1. at least 12 characters\n2. Zq8-x2-Lm",
        "Password:\n## Step 2\nZq8!x2Lm",
        "Password:\nSee the vault (ask IT)",
        "Password:\nZq8!x2Lm or ask IT",
        "Password:\nHost: db01",  # a field, not who answers
        "password: |\n  must be 12 characters",
        "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256",
        "What is the password policy?\nA: 12 characters minimum.",
        "Q: What is the guest Wi-Fi password?\nA: Ask reception (it changes weekly).",
        "What's the token format?\nv2.3.1",
        # A terminal's prompts: it echoes no password (a review found them redacted).
        "Password for user postgres:\npostgres=#",
        "```\n$ su -\nPassword:\nroot@server01:~#\n```",
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_a_credential_in_raw_html_is_redacted_where_it_is():
    """Pages exported from a wiki keep HTML: a value in a paragraph, after a `<br>`, in a
    table's cell beside or under a cell naming it, however its rows are laid out on lines."""
    from kb.content.secrets import redact

    pages = {
        "<p>Password: Zq8!x2Lm</p>": "<p>Password: [redacted]</p>",  # its tag is kept
        "<p>Password:<br>\n<code>Zq8!x2Lm</code></p>": (
            "<p>Password:<br>\n<code>[redacted]</code></p>"
        ),
        "<p>Password:</p>\n\n<p>Zq8!x2Lm</p>": "<p>Password:</p>\n\n<p>[redacted]</p>",
        "<table>\n<thead>\n<tr><th>Service</th><th>Password</th></tr>\n</thead>\n<tbody>\n"
        "<tr><td>Jenkins</td><td>Jk8#mQ2vLp9</td></tr>\n</tbody>\n</table>": (
            "<table>\n<thead>\n<tr><th>Service</th><th>Password</th></tr>\n</thead>\n<tbody>\n"
            "<tr><td>Jenkins</td><td>[redacted]</td></tr>\n</tbody>\n</table>"
        ),
        "<table>\n  <tr>\n    <th>Service</th>\n    <th>Password</th>\n  </tr>\n  <tr>\n"
        "    <td>Jenkins</td>\n    <td><code>Jk8#mQ2vLp9</code></td>\n  </tr>\n</table>": (
            "<table>\n  <tr>\n    <th>Service</th>\n    <th>Password</th>\n  </tr>\n  <tr>\n"
            "    <td>Jenkins</td>\n    <td><code>[redacted]</code></td>\n  </tr>\n</table>"
        ),
        "<tr>\n<td>API key</td>\n<td>Qw3rTy8UiOp1AsDfGh2j</td>\n</tr>": (
            "<tr>\n<td>API key</td>\n<td>[redacted]</td>\n</tr>"
        ),
    }
    for page, shown in pages.items():
        assert redact(page)[0] == shown, page
    kept = (
        # A key-value table's first row is no header: the names under it are not values.
        "<table>\n<tr><td>Password</td><td>see the vault</td></tr>\n"
        "<tr><td>IPv4</td><td>10.0.0.1</td></tr>\n</table>",
        # Under a header naming it, a cell's rule, and a cell of prose over lines.
        "<table><tr><th>Password</th><th>Rule</th></tr><tr><td>Length</td><td>12+</td></tr>"
        "<tr><td>Symbols</td><td>!@#</td></tr></table>",
        "<table>\n<tr><th>Host</th><th>Password</th></tr>\n<tr><td>db01</td><td>\n"
        "Ask IT for Zq8-x2\n</td></tr>\n</table>",
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_the_secret_is_what_is_redacted_not_its_neighbour():
    """A SAS token's signature went on to the index while kb said it redacted the token (its
    first field); a PowerShell call was masked and the password after it kept."""
    from kb.content.secrets import redact

    sas = 'SAS="sv=2022-11-02&ss=b&sp=rl&se=2026-12-31&sig=Qm9rT2xZc3hWb1p4N2pLbE1uUXJTdFV2%3D"'
    shell = '$password = ConvertTo-SecureString "Wint3rJump2024!" -AsPlainText -Force'
    env = "env:\n  - name: DB_PASSWORD\n    value: Gr4fanaDb1!\n  - name: DB_USER\n    value: app01"
    assert "Qm9rT2xZ" not in redact(sas)[0]
    assert redact(shell)[0] == '$password = ConvertTo-SecureString "[redacted]" -AsPlainText -Force'
    assert redact(env)[0] == env.replace("Gr4fanaDb1!", "[redacted]")
    # The key ID was redacted and its secret beside it shown (a trial), and not a commit id.
    aws = f"The old deploy key was {AWS_ID} with secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vN2mLp4."
    assert redact(aws)[0] == "The old deploy key was AKIA…[redacted] with secret [redacted]."
    # A Markdown header with an empty cell is no Confluence header (a review: the columns
    # moved one left and the passwords under "Password" were shown).
    table = "|| User | Password |\n|---|---|---|\n| Prod | deploy | Pr0d!2024x |"
    assert redact(table)[0].endswith("| Prod | deploy | [redacted] |")
    middle = "| Env || Password |\n|---|---|---|\n| Prod | deploy | Pr0d!2024x |"
    assert "Pr0d!2024x" not in redact(middle)[0]
    commit = f"{AWS_ID} was revoked in 9fceb02d0ae598e95dc970b74767f19372d61af8."
    assert (
        redact(commit)[0]
        == "AKIA…[redacted] was revoked in 9fceb02d0ae598e95dc970b74767f19372d61af8."
    )


def test_index_strict_fails_on_a_secret(tmp_path, monkeypatch, real_embedder):
    content = tmp_path / "content"
    write(content / "platform/deploy.md", LEAKY)
    monkeypatch.setattr("kb.embed.base.load_embedder", lambda *a, **k: real_embedder)
    args = ["index", str(content), "--index-dir", str(tmp_path / "index"), "--strict"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code != 0
    assert "platform/deploy.md:10: warning: possible AWS access key ID" in res.output
    assert "platform/deploy.md:12: warning: possible GitHub token" in res.output
    _no_secret_in(res.output)
    assert not (tmp_path / "index" / "manifest.json").exists()


def test_a_passphrase_or_a_networks_key_is_redacted_whole():
    """A passphrase's number after its words and a key in brackets after a network's name
    are the value's: none of it is left beside "[redacted]"."""
    from kb.content.secrets import redact

    shown = {
        "The guest passphrase is happy-silly-ocean-42.": "The guest passphrase is [redacted].",
        "Wi-Fi password: happy-silly-ocean": "Wi-Fi password: [redacted]",
        "Guest Wi-Fi: BW-Guest (Key: Tr0ub4dor&3)": "Guest Wi-Fi: BW-Guest (Key: [redacted])",
        'network "Office5G" (password: Hunter2!)': 'network "Office5G" (password: [redacted])',
        'password: "Summer(2024)"': 'password: "[redacted]"',
    }
    for line, expected in shown.items():
        assert redact(line)[0] == expected, line


def test_a_hash_algorithms_name_is_no_password():
    """Every hash hashlib offers, as a page names it after a password's name, says how
    passwords are hashed; a password with such a name inside it is still one."""
    import hashlib

    from kb.content.secrets import redact

    # The guaranteed ones, and some a local OpenSSL adds: kb redacts alike on every machine.
    for name in sorted(hashlib.algorithms_guaranteed | {"ripemd160", "sha512_256", "sm3"}):
        for shown in (name, name.upper(), name.upper().replace("_", "-")):
            for line in (f"Password: {shown}", f"| Password | {shown} |", f"PASSWORD={shown}"):
                assert redact(line)[1] == [], line
    assert redact("Password: Sha256Summer!")[0] == "Password: [redacted]"
    assert redact("Password: md5-2024")[0] == "Password: [redacted]"


def test_a_signing_key_file_quoted_on_a_page_is_redacted_and_a_verification_key_is_not():
    """cardano-cli's key files as answers quote them, over lines: a signing key's cborHex and
    cardano-address's private extended_key are private keys; a verification key's, its
    addresses and the hashes beside them are public (a search for one must find it)."""
    from kb.content.secrets import redact

    hex64 = "8e1f5f2a4b4c07e3d9c0f4a1a52e1c6b9f0ad3b5a6c7d8e9f0a1b2c3d4e5f6a7"
    skey = (
        '$ cat payment.skey\n{\n    "type": "PaymentSigningKeyShelley_ed25519",\n'
        f'    "description": "Payment Signing Key",\n    "cborHex": "5820{hex64}"\n}}\n'
    )
    assert redact(skey)[0] == skey.replace(f"5820{hex64}", "[redacted]")
    xsk = f'{{\n  "chain_code": "{hex64}",\n  "key_type": "private",\n'
    xsk += f'  "extended_key": "{hex64 * 2}"\n}}'
    assert redact(xsk)[0] == xsk.replace(hex64 * 2, "[redacted]")
    public = (
        skey.replace("Signing", "Verification"),
        xsk.replace('"private"', '"public"'),
        # The signing key's type in another object says nothing of this one's value.
        '{"type": "PaymentSigningKeyShelley_ed25519"}\n{"cborHex": "5820' + hex64 + '"}',
        '```\n"address": "addr1qxlmfhfcjck5pctuvlpww3kuxvqjucz40qusgeqgmyqq4utntgjccmteyrsld"\n```',
        'sha256map = {\n  "x" = "0sh4mfsanvdg43qhq321v24vamrw7nzc6gpjb0d34nyrq2lw55wj";\n}',
    )
    for page in public:
        assert redact(page)[1] == [], page


def test_a_list_of_backup_codes_under_their_name_is_redacted():
    """MFA's backup codes as people keep them: a list under a heading or a label naming them
    (list items, a code block, two columns as Google prints them), maybe after a sentence
    leading to them; not a list of steps or rules, nor a list after prose naming them."""
    from kb.content.secrets import redact

    pages = {
        "## Backup codes\n\n- 49381720\n- 88102231\n- 55210098\n\nKeep them safe.": (
            "## Backup codes\n\n- [redacted]\n- [redacted]\n- [redacted]\n\nKeep them safe."
        ),
        "GitHub recovery codes:\n```\na1b2c-3d4e5\nf6a7b-8c9d0\n```": (
            "GitHub recovery codes:\n```\n[redacted]\n[redacted]\n```"
        ),
        "**Google backup codes**\n\nKeep these somewhere safe.\n\n1. 4938 1720    5. 8810 2231": (
            "**Google backup codes**\n\nKeep these somewhere safe.\n\n1. [redacted]"
        ),
        "### Recovery codes (Okta)\n* [x] ~~7734-9912~~\n* [ ] 6120-4471": (
            "### Recovery codes (Okta)\n* [x] ~~[redacted]~~\n* [ ] [redacted]"
        ),
        # In HTML, where they are on the line, not where they are in its text without tags.
        "<p>Backup codes: 4938-1720, 8810-2231</p>": "<p>Backup codes: [redacted]</p>",
        "<li>Recovery codes:</li>\n<li>4938-1720</li>": (
            "<li>Recovery codes:</li>\n<li>[redacted]</li>"
        ),
    }
    for page, shown in pages.items():
        assert redact(page)[0] == shown, page
    kept = (
        "## Backup codes\n\n1. Open Settings 2\n2. Click Regenerate",
        "## Recovery codes\n\n- 16 codes, each usable once\n- 4938 1720",  # a rule ends it
        "Print your backup codes and keep them safe.\n\n- 4938 1720",
        "## Backup codes\n\n## Step 2\n\n- 4938 1720",
        "## Backup codes\n2024-01-15\nv2.3.1",
        "| Backup codes | Yes |\n| SMS | 4938 1720 |",
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_a_seed_phrase_is_redacted_whole_and_its_look_alikes_are_not():
    """A wallet's BIP 39 phrase is its private key: the words are redacted, what names them
    kept; a phrase of list words needs its checksum or a name before it, and one word
    repeated (BIP 39's all-zero test phrase) is a placeholder."""
    from kb.content.secrets import redact

    phrase = "lucky hunt stumble cheap capital business mean saddle tent pact nasty turtle"
    assert redact(f"Seed phrase: {phrase}.")[0] == "Seed phrase: [redacted]."
    assert (
        redact(f"Restore the wallet:\n\n    {phrase}\n")[0]
        == "Restore the wallet:\n\n    [redacted]\n"
    )
    listed = ", ".join(f'"{w}"' for w in phrase.split())
    assert redact(f'{{"mnemonic_sentence": [{listed}]}}')[0] == (
        '{"mnemonic_sentence": ["[redacted]"]}'
    )
    made_up = "giant fiction never ocean awake mixed garden ribbon actual dinner rough sample"
    assert redact(f"Recovery phrase: {made_up}")[0] == "Recovery phrase: [redacted]"
    kept = (
        made_up,  # list words, no checksum, no name
        "mnemonic: " + "abandon " * 11 + "about",
        f"Seed phrase: {' '.join(phrase.split()[:11])}",  # eleven words
        "Seed phrase: <your 24 words>",
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_backup_codes_of_letters_alone_are_redacted_and_words_are_not():
    """Codes without a digit (a code of letters, or a hex code that drew none: "faded-cabbe")
    are codes when the list shows it: groups of the shape of another code in it, or the shape
    of its codes with a digit. Words in a list under the name (a code's rules, settings) are
    not, whatever their shape: "read-only" beside "well-done"."""
    from kb.content.secrets import redact

    codes = ["abcd-efgh", "ijkl-mnop", "qrst-uvwx", "yzab-cdef", "ghij-klmn"]
    items = "\n".join(f"- {c}" for c in codes)
    assert redact(f"## Backup codes\n\n{items}\n\nKeep them safe.")[0] == (
        "## Backup codes\n\n" + "- [redacted]\n" * 5 + "\nKeep them safe."
    )
    capitals = "\n".join(c.upper() for c in codes)
    assert redact(f"Recovery codes:\n```\n{capitals}\n```")[0] == (
        "Recovery codes:\n```\n" + "[redacted]\n" * 5 + "```"
    )
    hex_codes = "GitHub recovery codes:\n```\na1b2c-3d4e5\nfaded-cabbe\nf6a7b-8c9d0\n```"
    assert redact(hex_codes)[0] == "GitHub recovery codes:\n```\n" + "[redacted]\n" * 3 + "```"
    one_group = "## Backup codes\n\n- 3k9f2m1q\n- fadedcab\n- x7p2m9k4"
    assert redact(one_group)[0] == "## Backup codes\n\n" + "\n".join(["- [redacted]"] * 3)
    kept = (
        "## Backup codes\n\n- follow-up",
        "## Backup codes\n\n- ssh-keygen\n- gpg-agent",
        "## Recovery codes\n\n- Okta-Verify\n- Okta-Mobile",  # names: mixed case
        "## Backup codes\n\n- Settings\n- Security\n- Password",
        "## Backup codes\n\n- look-ahead\n- read-only\n- well-done",
        "## Recovery codes\n\n- regenerate\n- download",
        "Backup codes: one-time use",
        "| Backup codes | read-only |",
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_a_seed_phrase_down_a_column_or_capitalised_is_redacted():
    """A phrase copied from a wallet's screen or card: a word a line, numbered, in a card's
    two columns (read in their numbers' order), in a table, capitalised or in capitals; the
    words redacted, the numbers and what names it kept. List words down a column without
    a checksum or a name, or fewer than a phrase, are not one."""
    from kb.content.secrets import redact

    words = "tide captain divert arena eagle female lottery arm tree drive emotion street".split()
    down = "\n".join(words)
    assert redact(f"My wallet:\n\n{down}\n\nDone.")[0] == (
        "My wallet:\n\n" + "[redacted]\n" * 12 + "\nDone."
    )
    numbered = "\n".join(f"{i}. {w.title()}" for i, w in enumerate(words, 1))
    assert redact(f"Seed phrase\n{numbered}")[0] == "Seed phrase\n" + "\n".join(
        f"{i}. [redacted]" for i in range(1, 13)
    )
    card = "\n".join(f"{i}. {words[i - 1]}    {i + 6}. {words[i + 5]}" for i in range(1, 7))
    assert redact(f"Recovery sheet\n{card}")[0] == "Recovery sheet\n" + "\n".join(
        f"{i}. [redacted]" for i in range(1, 7)
    )
    table = "\n".join(f"| {i} | {w.upper()} |" for i, w in enumerate(words, 1))
    assert redact(f"Wallet\n\n| # | Word |\n|---|---|\n{table}")[1] != []
    assert redact(f"wallet: {' '.join(w.title() for w in words)}")[0] == "wallet: [redacted]"
    made_up = "giant fiction never ocean awake mixed garden ribbon actual dinner rough sample"
    named = "\n".join(made_up.split())
    assert redact(f"Seed phrase:\n{named}")[0] == "Seed phrase:\n" + "\n".join(["[redacted]"] * 12)
    kept = (
        "Wallet\n\n\n\n" + named,  # no checksum, no name
        "Seed phrase\n" + "\n".join(words[:11]),  # eleven words
        "Seed phrase\n" + "\n".join(words) + "\nlucky",  # a list of 13, not a phrase
        "Wallet: " + made_up.title(),
    )
    for page in kept:
        assert redact(page)[1] == [], page


def test_a_seed_phrase_down_a_column_is_read_as_the_page_shows_it(tmp_path, real_embedder):
    """An attack: the column reading of a phrase read the page's raw lines, where one word
    written with a character reference (`&#97;rena`), an invisible character inside it
    (`ea\u200bgle`), a backslash escape, in emphasis (`*tree*`) or an HTML list's tags
    (`<li>drive</li>`) is no word of the list: the page showed all twelve, and every word
    was in the index. Read as shown, as each line is for every other secret."""
    from kb.content.secrets import redact

    words = "tide captain divert arena eagle female lottery arm tree drive emotion street".split()
    written = {
        "arena": "&#97;rena",
        "eagle": "ea\u200bgle",
        "female": "fe\ufe0fmale",
        "tree": "*tree*",
        "arm": "**arm**",
        "emotion": "_emotion_",
    }
    down = "\n".join(f"{i}. {written.get(w, w)}" for i, w in enumerate(words, 1))
    text, found = redact(f"My wallet:\n\n{down}\n\nDone.")
    assert [s.line for s in found] == list(range(3, 15)), text
    marks = {"tree": "*", "arm": "**", "emotion": "_"}  # emphasis stays around its word
    shown = [f"{i}. {marks.get(w, '')}[redacted]{marks.get(w, '')}" for i, w in enumerate(words, 1)]
    assert text == "My wallet:\n\n" + "\n".join(shown) + "\n\nDone."
    listed = "\n".join(f"<li>{w}</li>" for w in words)
    assert len(redact(f"<p>Wallet backup:</p>\n<ol>\n{listed}\n</ol>")[1]) == 12
    body = "\n".join(f"{i}. {written.get(w, w)}" for i, w in enumerate(words, 1))
    write(
        tmp_path / "content/finance/wallet.md",
        f"---\ntitle: Treasury wallet\nauthors: [Dee Park]\n---\n## Recovery\n\n"
        f"The treasury wallet's recovery words:\n\n{body}\n",
    )
    index_dir = tmp_path / "index"
    report = build_index(tmp_path / "content", index_dir, real_embedder, Settings())
    assert sum("seed phrase" in p.message for p in report.problems) == 12
    stored = "".join(
        f.read_bytes().decode("utf-8", "replace") for f in index_dir.rglob("*") if f.is_file()
    )
    for w in ("divert", "lottery", "captain", "rena", "gle", "male", "emotion"):
        assert w not in stored, w


def test_a_private_key_quoted_or_in_a_table_blanks_its_body_and_no_more(tmp_path, real_embedder):
    """An attack: a key in a quote (`> -----BEGIN ...`) or a table's cells ended at no END
    line (its line starts with `> ` or `| `), so its body and the 200 lines after it were
    blanked: the page's next sections were lost to the index. Each line of the body keeps
    what holds it, as the BEGIN line does; the END line is read inside it too."""
    from kb.content.secrets import redact

    body = ("MIIEpAIBAAKCAQEA7ZqR4nd0mK3yB0dyL1n3", "Q2vLm7Kx9pW3rT8uYz1Ab4Cd6Ef8Gh0Ij2")
    begin, end = "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"
    after = "\n## VPN\n\nConnect to vpn.example.com with the Okta app.\n"
    for mark in ("> ", "| ", "   ", ">> "):
        close = " |" if mark == "| " else ""
        key = "\n".join(f"{mark}{x}{close}" for x in (begin, *body, end))
        text, found = redact(f"## Old key\n\n{key}\n{after}")
        assert [s.line for s in found] == [3], mark
        assert text == (
            f"## Old key\n\n{mark}-----[redacted]{close}\n{mark}[redacted]\n{mark}[redacted]\n"
            f"{mark}{end}{close}\n{after}"
        ), text
    quoted = "\n".join(f"> {x}" for x in (begin, *body, end))
    write(
        tmp_path / "content/it/vpn.md",
        f"---\ntitle: VPN\nauthors: [Dee Park]\n---\n## Old key\n\n{quoted}\n{after}",
    )
    index_dir = tmp_path / "index"
    build_index(tmp_path / "content", index_dir, real_embedder, Settings())
    stored = "".join(
        f.read_bytes().decode("utf-8", "replace") for f in index_dir.rglob("*") if f.is_file()
    )
    assert "Connect to vpn.example.com with the Okta app." in stored
    assert not any(b[8:] in stored for b in body)


def test_an_index_built_before_redaction_is_read_again(tmp_path, monkeypatch):
    """An index written by a kb that stored secrets is rebuilt, even with unchanged pages."""
    from fakes import HashEmbedder

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "platform/deploy.md", LEAKY)
    with monkeypatch.context() as old_kb:  # the kb of before: no redaction, older signature
        old_kb.setattr("kb.content.pages.redact_page", lambda data, rel: (data, []))
        old = Settings.chunking_signature
        old_kb.setattr(
            Settings,
            "chunking_signature",
            lambda self: {k: v for k, v in old(self).items() if k != "redaction"},
        )
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert AWS_ID in "".join(p.read_text("utf-8", "replace") for p in index_dir.glob("chunks-*"))
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and report.reread == 1
    for file in index_dir.rglob("*"):
        if file.is_file():
            _no_secret_in(file.read_bytes().decode("utf-8", "replace"))


def test_common_secret_forms_are_found_and_look_alikes_are_not(tmp_path):
    positives, negatives = _cases("positives.txt"), _cases("negatives.txt")
    found = _flagged(tmp_path / "p", positives)
    missed = [line for n, line in enumerate(positives, 1) if n not in found]
    # Checked once: asked in the loop, the whole look-alike file was checked per line.
    alarmed = _flagged(tmp_path, negatives)
    false_alarms = [line for n, line in enumerate(negatives, 1) if n in alarmed]
    recall = 1 - len(missed) / len(positives)
    precision = len(found) / (len(found) + len(false_alarms))
    print(
        f"secret corpus: recall {recall:.2f} on {len(positives)} positives, "
        f"precision {precision:.2f} with {len(negatives)} look-alikes"
    )
    assert missed == [] and false_alarms == []


def test_secret_scan_stays_linear_on_long_lines(tmp_path):
    """Lines built to make backtracking regexes quadratic are scanned in bounded time."""
    lines = [
        "a." * 40_000,  # a URL scheme that never gets its '://' (kb's own regex took 18 s)
        "a-" * 40_000,
        "password='" * 3_000,  # a keyword whose value never closes
        "x://" + "a:" * 20_000,  # a user:password that never meets an '@'
        "'" + "A1b2" * 20_000,  # a quoted string that never closes
        "word " * 40_000 + AWS_ID,  # a key at the far end of a long line
        # A label's separator among spaces (adjacent `[ \t]*` took 570 s a window), and a
        # table cell of underscores around a label and a value (53 s).
        ("password" + " " * 495 + ":" + " " * 490) * 40,
        ("|" + "_" * 10 + "password" + "_" * 30 + "|" + "_" * 200 + "abcd" + "_" * 200 + "x") * 90,
        ("password" + "*_` " * 120 + ":" + "*_` " * 120) * 40,
        "pwda" * 20_000,  # detect-secrets' keyword patterns from every "pwd" (0.4 s a window)
        # A row under a header naming a credential, of dashes but not a header rule (4 s at
        # 20,000 dashes with a pattern for the rule).
        "| a | Password |\n|---|---|\n|" + "-" * 40_000 + "x",
        "htpasswd" + " -b" * 20_000,  # flags that never reach their three arguments
        "net user " + "a " * 40_000,
        "smbclient -U " + "a" * 80_000,
        "Password:\n" * 10_000,  # labels whose values never come
        " " * 20_000 + ":",  # an env name's list item: 2.5 s (200 KB: 197 s) before a review
        "\t" * 20_000 + "name:",
    ]
    start = time.process_time()
    found = _flagged(tmp_path, lines)
    assert time.process_time() - start < 10  # kb 0.1 took 34 s
    assert 6 in found  # the key after 200 kB on its line is still found


def test_prose_forms_stay_linear_on_long_lines(tmp_path):
    """Labels of the forms said in prose that never reach a value, each on a 100,000
    character line: a PIN's, an apposition's, a login's, an SSID's, a passphrase's words,
    <kbd> tags and an HTML table's first row of <td> names; and the ones a review tightened
    (an apposition's determiner, an SSID's name before its key, keys in <kbd>)."""
    lines = [
        "PIN " * 25_000,
        "password, " * 10_000,
        "Log in as " * 10_000,
        "admin / " * 12_500,
        "user: admin / " * 7_000,
        "SSID " * 20_000,
        "passphrase is " + "abc " * 25_000,
        "passphrase: " + "abc-" * 25_000,
        "<kbd>" * 20_000 + " password",
        "<table><tr><td>User</td><td>Password</td></tr>" + "<tr><td>a</td><td>b</td></tr>" * 3_500,
        "The admin password, " * 5_000,
        "/ admin / " * 10_000,
        "SSID: a, " * 11_000,
        "password <kbd>Strg+F5</kbd> " * 3_500,
        "keypad code " * 8_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_forms_a_second_review_found_stay_linear_on_long_lines(tmp_path):
    """SQL's IDENTIFIED BY, a capitalised account before '/', an apposition at a sentence's
    start or after "with the", a limit's word before a PIN and an SSID's name before its key
    joined by a space or a dash, each on a 100,000 character line that never reaches a
    value."""
    lines = [
        "grant identified by " * 5_000,
        "IDENTIFIED BY " * 7_000,
        "Admin / " * 12_500,
        "Admin password, " * 6_000,
        "with the password, " * 5_000,
        "Max PIN: " * 11_000,
        "SSID: a " * 12_000,
        "SSID: a — " * 10_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_forms_a_fourth_review_found_stay_linear_on_long_lines(tmp_path):
    """A Wi-Fi key in brackets without a network's name, a network's name before one, a
    <kbd> before "for the token" and a name's "value" before a <kbd>, each on a 100,000
    character line that never reaches a value."""
    lines = [
        "Wi-Fi " * 20_000,
        "Wi-Fi (key: " * 8_000,
        "network Ab-c " * 8_000,
        "<kbd>Zq9xL2mN8pR4</kbd> for the " * 3_000,
        "Token value " * 8_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_forms_a_third_review_found_stay_linear_on_long_lines(tmp_path):
    """A passphrase's words before a number, a network's name before a key in brackets and
    <kbd> tags after a token's name or before "as", each on a 100,000 character line that
    never reaches a value."""
    lines = [
        "passphrase is " + "abc-" * 25_000 + "42",
        "Wi-Fi password is " + "happy-" * 16_000 + "42",
        "Wi-Fi: a (key: " * 6_500,
        'network "a" (password: ' * 4_000,
        "SSID " + "a" * 100_000 + " (key: x",
        "Use the token " + "<kbd>Zq9xL2mN8pR4 " * 5_000,
        "<kbd>Zq9xL2mN8pR4</kbd> as " * 4_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_code_command_and_vendor_forms_stay_linear_on_long_lines(tmp_path):
    """PHP's define, setx, $env:, aws configure set, a Go DSN, archives' and remote tools'
    password flags, cookies, ?key=, NAME_KEY=, an .npmrc's _auth and vendors' prefixes, each on
    a 100,000 character line that never reaches a value."""
    lines = [
        "define('a_password', " * 5_000,
        "setx a_key " * 9_000,
        "$env:A_KEY= " * 8_000,
        "aws configure set " * 5_000,
        '"a:b' * 25_000 + "@tcp(",
        "zip -P " * 14_000,
        "7z -p" * 20_000,
        "xfreerdp /p:" * 8_000,
        "cookie: a=" * 10_000,
        "?key=" * 20_000,
        "A_B_C_D_E_KEY" * 8_000,
        ":_auth=" * 14_000,
        "vault login -a " * 7_000,
        "abc1Q~" * 16_000,
        "BEGIN A B C " * 8_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_calls_and_sentences_naming_a_password_stay_linear_on_long_lines(tmp_path):
    """A call's user and password arguments, a value before "is the password", openssl
    passwd's flags, and a name set in csh, Clojure, a pair or VB, each on a 100,000 character
    line that never reaches a value (a page of its own: kb reads pages up to 2 MB)."""
    lines = [
        "auth=('a', " * 10_000,
        "mysqli_connect(a, " * 6_000,
        ". a1b2 is the " * 7_000,
        "openssl passwd -salt " * 5_000,
        "setenv a_key " * 7_000,
        "{:a_password " * 7_000,
        "('a_token', " * 8_000,
        "Dim a_key As String " * 5_000,
        "word " * 20_000 + "PIN 4711",  # a PIN at the far end of a long line
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_wallet_keys_and_public_values_stay_linear_on_long_lines(tmp_path):
    """Key files' types without their values, prefixes of bech32 keys, paths and public
    values' look-alikes, each on a 100,000 character line (a page of its own)."""
    lines = [
        '"type": "PaymentSigningKeyShelley_ed25519", ' * 2_200,
        '{"key_type": "private", "cborHex": "58' * 2_600,
        "a_b_c_d_e_sk1" * 7_500,
        "'/" + "a/" * 50_000,
        "'addr1" + "q" * 100_000,
        "Backup codes: " + "4938 " * 20_000 + "x",  # codes that end in a word
        "## Backup codes",
        "- 4938-" * 15_000,
        "seed phrase: " + "abandon ability " * 6_000 + "zzz",
        ("legal winner thank year " * 2 + "legal winners ") * 3_000,  # runs of eleven
        "word " * 20_000 + "PIN 4711",
    ]
    _only_the_last_flagged_in_time(tmp_path, lines)


def test_an_index_from_the_last_detector_is_read_again_by_a_detector_that_finds_more(
    tmp_path, monkeypatch
):
    from fakes import HashEmbedder

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "ops/db.md", "---\ntitle: DB\n---\n## Staging\n- **Password**: Zx9!kLm#2Q\n")
    with monkeypatch.context() as old_kb:  # version 2 found nothing on this page
        old_kb.setattr("kb.config.REDACTION_VERSION", 2)
        old_kb.setattr("kb.content.secrets.find_secrets", lambda text: [])
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert "Zx9!kLm#2Q" in "".join(p.read_text("utf-8") for p in index_dir.glob("chunks-*"))
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and report.reread == 1
    for file in index_dir.rglob("*"):
        if file.is_file():
            assert "Zx9!kLm#2Q" not in file.read_bytes().decode("utf-8", "replace"), file.name


def test_private_key_written_on_one_line_is_redacted_whole(tmp_path):
    """A service account's JSON keeps its key on one line, with `\\n` escapes: the body must go
    too, not only its BEGIN marker (kb said "redacted" and stored the key)."""
    from fakes import HashEmbedder

    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4"
    key = f"-----BEGIN PRIVATE KEY-----\\n{body}\\nQ2vLm7Kx9p\\n-----END PRIVATE KEY-----\\n"
    text = (
        "---\ntitle: GCP\nauthors: [Dee Park]\n---\n# GCP\n\n```json\n"
        f'{{"type": "service_account", "private_key": "{key}",\n'
        ' "client_email": "ci@proj.iam.gserviceaccount.com"}\n```\n'
    )
    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "gcp.md", text)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert any("private key" in p.message for p in report.problems)
    stored = b"".join(f.read_bytes() for f in index_dir.rglob("*") if f.is_file())
    assert body.encode() not in stored and b"Q2vLm7Kx9p" not in stored
    assert b"client_email" in stored  # what follows the key on later lines is kept


def _index_bytes(index_dir: Path) -> str:
    return "".join(
        f.read_bytes().decode("utf-8", "replace") for f in index_dir.rglob("*") if f.is_file()
    )


def test_secret_in_people_yaml_is_redacted_in_the_index_and_an_error_in_check(tmp_path):
    # A role holding a key was stored in the manifest (and so served as the people list), and
    # kb check never scanned people.yaml.
    from fakes import HashEmbedder

    content = tmp_path / "content"
    write(content / "deploy.md", "---\ntitle: Deploy\nauthors: [Dee Park]\n---\nDeploy it.\n")
    write(content / "people.yaml", f"- name: Dee Park\n  team: platform\n  role: ops {AWS_ID}\n")
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    assert any(p.path == "people.yaml" and p.line == 3 for p in report.problems)
    assert AWS_ID not in _index_bytes(tmp_path / "index")
    assert report.manifest.people[0]["role"].startswith("ops AKIA…")
    secrets = [f for f in check_content(content) if f.rule == "secret"]
    assert [(f.path, f.line, f.severity) for f in secrets] == [("people.yaml", 3, "error")]


def test_secret_in_a_file_name_is_not_indexed_and_an_error_in_check(tmp_path):
    # `token-ghp_....md` was stored as the page's path and shown as its title, with no warning.
    from fakes import HashEmbedder

    content = tmp_path / "content"
    write(content / "deploy.md", "---\ntitle: Deploy\nauthors: [Dee Park]\n---\nDeploy it.\n")
    write(content / f"token-{GH_TOKEN}.md", "---\nauthors: [Dee Park]\n---\nSome notes.\n")
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    assert report.documents == 1
    assert any("file name holds a possible GitHub token" in p.message for p in report.problems)
    assert GH_TOKEN not in _index_bytes(tmp_path / "index")
    assert all(GH_TOKEN not in p.path for p in report.problems)
    found = [f for f in check_content(content) if f.rule == "secret"]
    assert len(found) == 1 and found[0].severity == "error" and GH_TOKEN not in found[0].path


def test_secret_in_a_folder_name_is_not_indexed_and_an_error_in_check(tmp_path):
    # `keys-ghp_.../notes.md`: the folder is part of the stored path, so its name is scanned too.
    from fakes import HashEmbedder

    content = tmp_path / "content"
    write(content / "deploy.md", "---\ntitle: Deploy\nauthors: [Dee Park]\n---\nDeploy it.\n")
    write(content / f"keys-{GH_TOKEN}" / "notes.md", "---\nauthors: [Dee Park]\n---\nNotes.\n")
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    assert report.documents == 1
    messages = [p.message for p in report.problems]
    assert any("folder name holds a possible GitHub token" in m for m in messages), messages
    assert any("rename its folder" in m for m in messages)
    assert GH_TOKEN not in _index_bytes(tmp_path / "index")
    assert all(GH_TOKEN not in p.path for p in report.problems)
    found = [f for f in check_content(content) if f.rule == "secret"]
    assert len(found) == 1 and found[0].severity == "error" and GH_TOKEN not in found[0].path


def test_a_private_key_body_past_an_early_end_line_or_fence_is_blanked(tmp_path):
    """An attack: a key block's body was blanked up to the first line starting `-----END`
    or a fence, whatever it was: an END of another kind (`-----END CERTIFICATE-----`), its
    own END, or a fence inside the body, or an END on the BEGIN line (read as a key on one
    line), let the rest of the body through into the index. More of a key's body after such
    a line is blanked too; the first other line ends the block, as before."""
    from fakes import HashEmbedder

    from kb.content.secrets import redact

    body = (
        "MIIEowIBAAKCAQEA7x9kQ2vLm8pR3sT5uW7yZ1aB3cD5eF7gH9iJ1kL3mN5oP7qR",
        "9sT1uV3wX5yZ7aB9cD1eF3gH5iJ7kL9mN1oP3qR5sT7uV9wX1yZ3aB5cD7eF9gH1iJ",
        "3kL5mN7oP9qR1sT3uV5wX7yZ9aB1cD3eF5gH7iJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB",
        "kLmNoP==",
    )
    begin, end = "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"
    after = "## VPN\n\nConnect to vpn.example.com with the Okta app."
    forged = {
        "another kind's END": [begin, body[0], "-----END CERTIFICATE-----", *body[1:], end],
        "its own END inside": [begin, body[0], end, *body[1:], end],
        "a fence inside": [begin, body[0], "```", *body[1:], end],
        "an END on the BEGIN line": [f"{begin} -----END", *body, end],
        "quoted": [f"> {x}" for x in (begin, body[0], "-----END PUBLIC KEY-----", *body[1:])],
    }
    for name, lines in forged.items():
        key = "\n".join(lines)
        text, found = redact(f"## Old key\n\n{key}\n\n{after}\n")
        assert [s.line for s in found] == [3], name
        assert not any(b[:-4] in text for b in body), (name, text)
        assert text.endswith(f"\n\n{after}\n"), (name, text)  # what follows is kept
    write(
        tmp_path / "content/it/vpn.md",
        "---\ntitle: VPN\nauthors: [Dee Park]\n---\n"
        + "\n\n".join(["## Old key", "\n".join(forged["its own END inside"]), after]),
    )
    build_index(tmp_path / "content", tmp_path / "index", HashEmbedder(), Settings())
    stored = _index_bytes(tmp_path / "index")
    assert "Connect to vpn.example.com with the Okta app." in stored
    assert not any(b[:-4] in stored for b in body)


def test_a_token_in_a_name_as_a_slug_writes_it_is_found_and_never_shown(tmp_path):
    """An attack: `kb import` named a page after a title holding a token, in small letters
    with `_` as `-` (`deploy-ghp-r4nd0m….md`), before it redacted titles: no detector of
    page text finds a token so written, so the page was read, its path (most of the token)
    stored and shown on every hit. A token's public prefix then a run of 16 or more letters
    and digits (both in it: no word of a title) is one in a name; the page is not read, as
    for a token written as issued, and no message shows it."""
    from fakes import HashEmbedder

    slugged = {
        "imported/deploy-ghp-r4nd0mt0k3nv4lu3f0rt3st1ngxyz9876543.md": "GitHub token",
        "ops-sk-live-4ecc1a2b3c4d5e6f7a8b9c0d/vpn.md": "Stripe secret key",
        "keys/akiaq3egrtz5nxlpwd7k.md": "AWS access key ID",
        "slack/xoxb-123456789012-1234567890123-abcdefghijklmn0pqrstuvwx.md": "Slack token",
    }
    kept = [
        "ml/hf-transformers-guide-2024.md",  # words, not a token's run
        "sales/asia-pacific-offices.md",
        "aws/sg-0a1b2c3d4e5f60718.md",  # a security group's id: public
        "ops/ghp-rotation-runbook.md",
        "releases/3f9a2c1b7d4e5f60718293a4b5c6d7e8f9a0b1c2.md",  # a commit id: no prefix
    ]
    content = tmp_path / "content"
    for rel in [*slugged, *kept]:
        write(content / rel, "---\ntitle: Notes\nauthors: [Dee Park]\n---\nSome notes.\n")
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    said = {p.path: p.message for p in report.problems if "name holds a" in p.message}
    assert len(said) == len(slugged) and report.documents == len(kept), said
    for kind in slugged.values():
        assert any(f"holds a possible {kind}" in m for m in said.values()), kind
    stored = _index_bytes(tmp_path / "index") + "".join(said) + "".join(said.values())
    assert "r4nd0mt0k3n" not in stored and "4ecc1a2b3c4d" not in stored
    assert "q3egrtz5nxlpwd7k" not in stored and "abcdefghijklmn0p" not in stored
    found = [f for f in check_content(content) if f.rule == "secret"]
    assert len(found) == len(slugged) and all(f.severity == "error" for f in found)
    assert not any("r4nd0mt0k3n" in f.path or "4ecc1a2b" in f.path for f in found)


def test_a_token_split_by_markup_that_shows_nothing_is_redacted_as_shown(tmp_path):
    """An attack: a token split by what shows as no character: a comment or a template tag
    (the page view removes both), an inline HTML tag kb did not list (`<wbr>` was read as a
    block's space; `<bdi>`, `<nobr>`, `<data>`, `<time>`), or Markdown's emphasis, code or
    strikethrough delimiters inside it (`ghp_R4nd**0m**T0k3n…` shows the token, part of it in
    bold). The page showed the token whole; kb check found nothing and every byte of the
    index held it. Each is read as shown; the delimiters only between letters or digits."""

    from kb.content.secrets import redact

    a, b = GH_TOKEN[:12], GH_TOKEN[12:]
    split = {
        "comment": f"{a}<!-- x -->{b}",
        "template tag": f"{a}{{{{ '' }}}}{b}",
        "wbr": f"{a}<wbr>{b}",
        "bdi": f"{a}<bdi>{b[:4]}</bdi>{b[4:]}",
        "nobr": f"<nobr>{a}</nobr>{b}",
        "data": f"{a}<data value=1>{b[:4]}</data>{b[4:]}",
        "time": f"{a}<time>{b[:4]}</time>{b[4:]}",
        "bold": f"{a}**{b[:4]}**{b[4:]}",
        "italics": f"{a}*{b[:4]}*{b[4:]}",
        "code": f"{a}`{b[:4]}`{b[4:]}",
        "strikethrough": f"{a}~~{b[:4]}~~{b[4:]}",
    }
    kept = "Run `2**10`, a*b*c, ~~old~~ and <wbr> long<!-- x -->words; {{ site.title }}."
    assert redact(kept) == (kept, [])
    _each_form_is_a_token_redacted(tmp_path, split, b[4:])
    units = ("a<!--", "a{{ ", "{% a", "a**", "a`b~", "<wbr>", "<!--a-->{{b}}<bdi>")
    _only_the_last_flagged_in_time(tmp_path, [u * (100_000 // len(u)) for u in units] + [GH_TOKEN])


def _each_form_is_a_token_redacted(tmp_path, split: dict, secret: str, tail: str = "") -> None:
    """Each form in a sentence (`tail` after it) is one GitHub token, redacted; a page of all
    of them is flagged once a form by kb check and leaves no `secret` in the index."""
    from fakes import HashEmbedder

    from kb.content.secrets import redact

    for name, form in split.items():
        text, found = redact(f"Push with {form} today.{tail}")
        assert [s.kind for s in found] == ["GitHub token"], (name, found)
        assert secret not in text and "today." in text, (name, text)
    content = tmp_path / "content"
    forms = "\n\n".join(f"Push with {form} today." for form in split.values())
    write(content / "deploy.md", f"---\ntitle: Deploy\nauthors: [Dee Park]\n---\n{forms}{tail}\n")
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    assert secret not in _index_bytes(tmp_path / "index")
    found = [f for f in check_content(content) if f.rule == "secret"]
    assert len(found) == len(split)


def test_a_tokens_prefix_split_by_markup_is_redacted_as_shown(tmp_path):
    """An attack: a token's own prefix split by what shows nothing (`gh[p_](#)R4nd…`,
    `[gh](x)p_…`, `gh<!-- -->p_…`, `gh<span>p</span>_…`), or markup beside its `_`
    (`gh**p**_…`, `` `ghp_`R4nd… ``, a link's text written with an escape). The page shows
    the token whole; which detectors run was asked of the text with its links, comments and
    tags as written, where no `ghp_` was, so kb check found nothing and every byte of the
    index held it. They are asked of the text as shown too, and a link is read as consent
    reads it (`kb.models.shown.LINK`: a defined shortcut `[p_]` too)."""

    from kb.content.secrets import redact

    body = GH_TOKEN.removeprefix("ghp_")
    split = {
        "link": f"gh[p_](#){body}",
        "link before": f"[gh](x)p_{body}",
        "links side by side": f"[gh](#)[p_](#){body}",
        "link, then '_'": f"[ghp](#)_{body}",
        "link with a title": f'gh[p_](# "t"){body}',
        "parentheses in a target": f"gh[p_](a(b)c){body}",
        "escape in a link": f"gh[p\\_](#){body}",
        "reference in a link": f"gh[p&#95;](#){body}",
        "shortcut": f"gh[p_]{body}",
        "comment": f"gh<!-- -->p_{body}",
        "comment before '_'": f"ghp<!-- -->_{body}",
        "template tag": f"gh{{{{ '' }}}}p_{body}",
        "span": f"gh<span>p_</span>{body}",
        "a tag kb did not list": f"gh<foo>p_{body}",
        "bold": f"gh**p**_{body}",
        "bold before '_'": f"**ghp**_{body}",
        "code": f"`ghp_`{body}",
        "strikethrough": f"gh~~p~~_{body}",
    }
    kept = (
        "See [the guide](https://x.example/a1b2c3), [step 2][s] and [1] first; type "
        "<your-token> or token=<token>; `gh`_pages_ and **ghp**_ are words; a<br>b."
    )
    assert redact(kept) == (kept, [])
    _each_form_is_a_token_redacted(tmp_path, split, body[4:], "\n\n[p_]: https://x.example")
    units = ("a[b]", "[a](b)", "a<x>", "a**_", "[a\\_](", "a<x y='", "[a](x(y)[a]((y)")
    _only_the_last_flagged_in_time(tmp_path, [u * (100_000 // len(u)) for u in units] + [GH_TOKEN])


def test_a_token_joined_by_a_link_over_a_line_break_is_redacted_as_shown(tmp_path):
    """An attack: a token split by a link whose target, title or reference label holds a
    line break, as CommonMark allows one (`gh[p_](#` then `)R4nd…`): the page shows the
    token whole, but the scan read a line at a time, so kb check found nothing and every
    byte of the index held it. Two such lines are read joined, as shown; the token is said
    at its first line and redacted on both. A link over a line break between words stays."""

    from kb.content.secrets import redact

    body = GH_TOKEN.removeprefix("ghp_")
    split = {
        "target": f"gh[p_](#\n){body}",
        "target on the next line": f"gh[p_](\n#){body}",
        "title on the next line": f'gh[p_](#\n"t"){body}',
        "image": f"gh![p_](x.png\n){body}",
        "reference label": f"gh[p_][r\n]{body}",
        "inside the body": f"{GH_TOKEN[:12]}[{GH_TOKEN[12:16]}](#\n){GH_TOKEN[16:]}",
    }
    kept = "See [the guide](https://x.example/a1b2c3\n) first, and [step 2][s\n] too."
    assert redact(kept) == (kept, [])
    _each_form_is_a_token_redacted(tmp_path, split, GH_TOKEN[-16:], "\n\n[r]: https://x.example")
    units = ("[a](\n", "a[b](\nc", "[a][\n]")
    hostile = [u * (100_000 // len(u)) for u in units] + ["[a](b\n" + "[" * 100_000]
    for text in hostile:  # linear: each line read with the next once
        start = time.process_time()
        assert [s.line for s in redact(f"{text}\n{GH_TOKEN}")[1]] == [text.count("\n") + 2]
        assert time.process_time() - start < 10, text[:10]


KEY_BODIES = {  # the first lines of throwaway keys' bodies, by format
    "PKCS #1": (
        "MIIEowIBAAKCAQEAvETk4AeVZzdW+CsRC1XOqgG9q9s7ycn+072/VeriRaCUadr2",
        "dVTjB5Ov9vvzWDWPfWpiZWo75N2qNmtkVYOh+uHEdxVZiauptKkZSvJR5HBaQ2IB",
        "gJAMxXHkgUn6AxtWxkRh9EWRdguN5ZJ2nFrrKqPevvaOFyPVvSmNkckAFEL5zXiz",
    ),
    "SEC 1": (
        "MHcCAQEEIGpZIU6BHnHRR5Cb8e+X1XVvDmWYWZEX8t5VzCo6OB19oAoGCCqGSM49",
        "AwEHoUQDQgAEfBFJMlTgT8Y7fjHgR+at/zfb2XAfbA9CDkOqf5PoPM1/krDMaIvH",
        "lfyDV7oxi5FKTeI9A/BSHJ7jn+009+9Drg==",
    ),
    "PKCS #8": (
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC8ROTgB5VnN1b4",
        "KxELVc6qAb2r2zvJyf7Tvb9V6uJFoJRp2vZ1VOMHk6/2+/NYNY99amJlajvk3ao2",
        "a2RVg6H64cR3FVmJq6m0qRlK8lHkcFpDYgGAkAzFceSBSfoDG1bGRGH0RZF2C43l",
    ),
    "PKCS #8 Ed25519": ("MC4CAQAwBQYDK2VwBCIEIFAEoqR1ONa4yDMXsrCCzIEPKJ/LzyTazCRvgyU6XdTf",),
    "OpenSSH": (
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz",
        "c2gtZWQyNTUxOQAAACB49K5eLT09VmTYduGhJJvS7N8mBYM7TdaPj20UHWz1eQAA",
        "AIhyA2INcgNiDQAAAAtzc2gtZWQyNTUxOQAAACB49K5eLT09VmTYduGhJJvS7N8m",
    ),
}
PUBLIC_BODY = (  # an RSA key's public half
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvETk4AeVZzdW+CsRC1XO",
    "qgG9q9s7ycn+072/VeriRaCUadr2dVTjB5Ov9vvzWDWPfWpiZWo75N2qNmtkVYOh",
)


def test_a_private_key_body_without_its_begin_line_is_redacted():
    """An attack: a key's body pasted without its BEGIN line (copied from the file's second
    line, or under a BEGIN line split in two: `-----BEGIN RSA PRIVATE` then `KEY-----`)
    was found by no detector: every line of it was in the index. A line of a PEM body that
    starts a private key (DER: a SEQUENCE, then an INTEGER version 0 or 1: PKCS #1, PKCS #8,
    SEC 1, DSA; OpenSSH's `openssh-key-v1`) is a key, blanked with the body lines after it.
    A public key's or a certificate's body (a SEQUENCE first) is kept."""
    from kb.content.secrets import redact

    after = "## VPN\n\nConnect to vpn.example.com with the Okta app."
    split = ["-----BEGIN RSA PRIVATE", "KEY-----"]
    for form, body in KEY_BODIES.items():
        for head, quote in (([], ""), (split, ""), ([], "> ")):
            lines = [*head, *(quote + b for b in body)]
            text, found = redact("\n".join(["## Old key", "", *lines, "", after]))
            assert found and all(s.kind == "private key" for s in found), (form, head, quote)
            assert not any(b[:-2] in text for b in body), (form, head, text)
            assert text.endswith(after), text
    public = "\n".join(PUBLIC_BODY)
    assert redact(f"The public half:\n\n{public}\n")[1] == []


def test_a_token_split_by_a_links_brackets_is_redacted_as_shown():
    """An attack: part of a token made a link's text (`ghp_R4nd[0mT0](#x)k3n…`, by
    reference `[0mT0][r]`, an image's `![0mT0](x.png)`): the page shows the token whole,
    the link's target being no text, as consent reads names; the scan read the brackets and
    the target as written, and every byte of the index held the token."""
    from kb.content.secrets import redact

    a, b = GH_TOKEN[:12], GH_TOKEN[12:]
    for form in (f"{a}[{b[:4]}](#x){b[4:]}", f"{a}[{b[:4]}][r]{b[4:]}", f"[{a}](#x){b}"):
        text, found = redact(f"Push with {form} today.\n\n[r]: https://x.example")
        assert [s.kind for s in found] == ["GitHub token"], (form, found)
        assert b[4:] not in text and "today." in text, (form, text)
    kept = "See [the guide](https://x.example/a1b2c3) and [step 2][s] first."
    assert redact(kept) == (kept, [])


# Credentials pasted in pieces: each piece is the page's line; none may be indexed.
_GHP = "ghp_" + "R4nd0mT0k3nV4lu3Xy9Zq8Wp7Lk6Jh5Gf4Dx2w"[:36]
_SPLIT = {
    "a token broken in a code block": (
        f"```\nexport GITHUB_TOKEN={_GHP[:20]}\n{_GHP[20:]}\n```\n",
        [_GHP[:20], _GHP[20:]],
    ),
    "a key as 40-character lines": (
        "Service account key:\n\n"
        + "\n".join(["ZXlKaGJHY2lPaUpTVXpJMU5pSXNJblI1Y0NJNklr", "q7Rz2Lm9Xc4Vb8Nk3Jh6"])
        + "\n",
        ["ZXlKaGJHY2lPaUpTVXpJMU5p", "q7Rz2Lm9Xc4Vb8Nk3Jh6"],
    ),
    "a Slack token broken after its prefix": (
        "xoxb-2345678901-\n2345678901234-AbCdEfGhIjKlMnOpQrStUvWx\n",
        ["2345678901234-AbCdEfGhIjKlMnOpQrStUvWx"],
    ),
    "an AWS key ID broken in two": ("AKIAJ3K5L7M9\nN2P4Q6R8\n", ["AKIAJ3K5L7M9", "N2P4Q6R8"]),
    "a value on the line after its name": (
        "aws_secret_access_key =\nq7Rz2Lm9Xc4Vb8Nk3Jh6\nGf5Ds1Aw0PeXuYiOzTrA\n",
        ["q7Rz2Lm9Xc4Vb8Nk3Jh6", "Gf5Ds1Aw0PeXuYiOzTrA"],
    ),
}


@pytest.mark.parametrize("page, pieces", _SPLIT.values(), ids=_SPLIT.keys())
def test_a_credential_pasted_in_pieces_is_found_and_no_piece_is_indexed(tmp_path, page, pieces):
    """An attack: a credential split over short lines (a key pasted as 40-character lines, a
    token broken by a line break in a code block, after its prefix or after its name's
    `key =`). Its first line alone was redacted and the rest indexed, or no line was a
    credential alone and all of it was (known hole 4). `kb check` finds it; `kb index`
    keeps no piece; prose after a token and words alone on a line stay."""
    from kb.content.secrets import redact

    content = tmp_path / "content"
    write(content / "it/keys.md", f"# Keys\n\n{page}\nAsk Kubernetes\nadmins for one.\n")
    assert [f.rule for f in check_content(content) if f.severity == "error"] == ["secret"]
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    stored = "".join(
        f.read_text(errors="replace") for f in (tmp_path / "index").rglob("*") if f.is_file()
    )
    assert "Keys" in stored and "Kubernetes" in stored
    for piece in pieces:
        assert piece not in stored, piece
    said = "Use the token\nghp_only_prose_here\nThen run make.\nSee ISO27001\nAudit scope.\n"
    assert redact(said)[0] == said


@pytest.mark.parametrize(
    "typed, pieces",
    [
        ("AKIAJ3K5L7M9 N2P4Q6R8", ["J3K5L7M9", "N2P4Q6R8"]),
        ("xoxb-2345678901- 2345678901234-AbCdEfGhIjKlMnOpQrStUvWx", ["AbCdEfGhIjKlMnOpQrStUvWx"]),
        ("aws_secret_access_key = q7Rz2Lm9Xc4Vb8Nk3Jh6 Gf5Ds1Aw0PeXuYiOzTrA", ["q7Rz", "Gf5D"]),
    ],
)
def test_a_credential_pasted_from_lines_into_the_search_box_is_not_logged(typed, pieces):
    """A credential copied from short lines and pasted into the box comes with a space for
    each line break (Firefox pastes them so): no piece of it was a credential alone, and
    the opt-in search log kept it as typed. Each space before a credential's piece is read
    as the line break it was; a search of words is logged as typed."""
    from kb.content.secrets import redact_typed

    logged = redact_typed(typed)
    assert "[redacted]" in logged and not any(p in logged for p in pieces), logged
    for search in ("error E4012AbC when syncing OneDrive", "iPhone 15 setup for SharePoint"):
        assert redact_typed(search) == search


def test_a_file_name_before_a_whole_key_on_the_next_line_is_kept():
    """A line ending in token characters is read joined with the next (a credential pasted
    in pieces), but a next line holding a whole credential alone adds nothing to it: a
    Cardano answer's `> root.xsk` (a file name) before its `root_xsk1...` key lost the file
    name to the key read across both lines."""
    from kb.content.secrets import redact

    key = "root_xsk1" + "qpzry9x8gf2tvdw0s3jn54khce6mua7l" * 4
    command = "    $ cardano-address key from-recovery-phrase Shelley < phrase.prv > root.xsk"
    text = f"Make the root key:\n\n{command}\n    {key}\n\nKeep it offline.\n"
    assert redact(text)[0] == text.replace(key, "[redacted]")
