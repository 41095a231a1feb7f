"""What counts as a credential: detect-secrets' detectors, and kb's own patterns, gates and
placeholders (`kb.content.secrets` runs them). The only module importing detect-secrets."""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

# Public prefixes that name a token's kind; they say what was there without revealing it.
MARKER = re.compile(
    r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-"
    r"|[sr]k_live_|AIza|eyJ|SG\.|npm_|pypi-|sk-ant-|sk-proj-|hf_|GOCSPX-|dckr_pat_"
    r"|shp(?:at|ca|pa|ss)_|do[opr]_v1_|whsec_|xapp-|sq0atp-|lin_api_|ya29\.|AGE-SECRET-KEY-1"
    r"|hv[sbr]\.|ATATT3|[sr]k_test_|xoxe[.-]|NRAK-|glsa_|glc_|PMAK-)"
)
# Patterns detect-secrets has no plugin for (1.5.0), or misses the common form of:
_AWS_ID = r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"
# Mixed case and a digit: not a commit id, which is 40 characters too.
_AWS_SECRET = (
    r"(?<![\w/+])((?=\S{0,39}\d)(?=\S{0,39}[A-Z])(?=\S{0,39}[a-z])[A-Za-z0-9/+]{40})(?![\w/+=])"
)
EXTRA = (
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),  # no plugin
    # Its GitHub plugin knows the classic ghp_ tokens only, not fine-grained ones.
    ("GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{60,}")),
    # Its BasicAuthDetector needs a user name (redis://:pw@host) and stops at '$', '!' ...
    (
        "password in a URL",
        re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{0,30}://[^\s:/@]{0,200}:([^\s@/]+)@"),
    ),  # An HTTP header's credentials: `AUTHORIZATION: basic ...` is what actions/checkout
    # keeps in .git/config; it has no plugin unless the value is a JWT. A value has a digit.
    # Vendors' prefixed tokens it has no plugin for (their documented formats).
    ("Anthropic key", re.compile(r"\bsk-ant-[a-z]{3,5}\d{2}-[A-Za-z0-9_\-]{20,}")),
    ("OpenAI key", re.compile(r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}")),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("Google OAuth client secret", re.compile(r"\bGOCSPX-[A-Za-z0-9_\-]{20,}")),
    ("Docker token", re.compile(r"\bdckr_pat_[A-Za-z0-9_\-]{20,}")),
    ("Shopify token", re.compile(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b")),
    ("DigitalOcean token", re.compile(r"\bdo[opr]_v1_[a-f0-9]{64}\b")),
    ("Stripe webhook secret", re.compile(r"\bwhsec_[A-Za-z0-9]{24,}")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),  # its plugin: `_authToken=` only
    ("Slack app token", re.compile(r"\bxapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-z0-9]{20,}")),
    ("Square token", re.compile(r"\bsq0atp-[0-9A-Za-z_\-]{22,}")),
    ("Linear key", re.compile(r"\blin_api_[A-Za-z0-9]{32,}")),
    ("Google OAuth token", re.compile(r"\bya29\.[0-9A-Za-z_\-]{20,}")),
    ("age secret key", re.compile(r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b")),
    # HashiCorp Vault's tokens (hvs. service, hvb. batch, hvr. recovery; the older "s." only
    # where Vault takes one), Atlassian's API tokens, Stripe's test-mode secret and restricted
    # keys (its plugin knows live ones only), Azure AD client secrets (three characters, a
    # digit, "Q~"), Slack's refresh tokens, New Relic's user keys, Grafana's service account
    # and Cloud tokens, Postman's API keys: their documented formats.
    ("Vault token", re.compile(r"\bhv[sbr]\.[A-Za-z0-9_\-]{24,}")),
    (
        "Vault token",
        re.compile(
            r"(?i)(?:\bvault[ \t]{1,5}login(?:[ \t]{1,5}-\S{1,40})*|x-vault-token:|vault_token=)"
            r"[ \t]{0,5}['\"]?(s\.[A-Za-z0-9]{24,})"
        ),
    ),
    ("Atlassian token", re.compile(r"\bATATT3[A-Za-z0-9_\-=]{100,}")),
    ("Stripe secret key", re.compile(r"\b[sr]k_test_[0-9a-zA-Z]{24,}")),
    (
        "Azure client secret",
        re.compile(r"(?<![\w~.-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![\w~.-])"),
    ),
    ("Slack token", re.compile(r"\bxoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{40,}")),
    ("New Relic key", re.compile(r"\bNRAK-[A-Z0-9]{27}\b")),
    (
        "Grafana token",
        re.compile(r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}=*)"),
    ),
    ("Postman key", re.compile(r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b")),
    # Private keys its plugin does not name: PKCS #8's encrypted form, any other kind's BEGIN
    # line (DH, DSA ...), PuTTY's version 3 files, OpenVPN's static key.
    (
        "private key",
        re.compile(
            r"BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-|PuTTY-User-Key-File-\d"
            r"|BEGIN OpenVPN Static key V\d"
        ),
    ),
    # A wallet's or a node's private key as its tools print it: bech32 (BIP 173) with a
    # human-readable part naming a secret key (Cardano's CIP-5 `*_sk`, `*_xsk`, its
    # libraries' `xprv` and `ed25519_sk`, `ed25519e_sk`; Nostr's nsec), and BIP 32's
    # extended private key in base58 (xprv and its kin). Their public kin: `PUBLIC_VALUE`.
    (
        "wallet private key",
        re.compile(
            r"(?<![\w-])(?:(?:[a-z][a-z0-9]{0,15}_){1,4}x?sk|xprv|nsec)"
            r"1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{30,}"
            r"|(?<![\w-])[xtyzuvYZUV]prv[1-9A-HJ-NP-Za-km-z]{100,112}(?![\w-])"
        ),
    ),
    (
        "webhook URL",
        re.compile(
            r"\bhttps://(?:(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w-]{20,}"
            r"|[\w-]{1,60}\.webhook\.office\.com/webhookb2/[\w@/-]{20,})"
        ),
    ),
    ("BitLocker recovery key", re.compile(r"\b\d{6}(?:-\d{6}){7}\b")),
    # An AWS secret access key written beside its key ID, without the name its plugin needs
    # ("the deploy key AKIA… with secret wJalr…"): 40 base-64 characters, either side.
    ("AWS secret key", re.compile(rf"{_AWS_ID}.{{0,80}}?{_AWS_SECRET}")),
    ("AWS secret key", re.compile(rf"{_AWS_SECRET}.{{0,80}}?{_AWS_ID}")),
    # Azure: a shared access signature's sig= (in a SAS token or a blob URL), and a Service
    # Bus or IoT Hub connection string's SharedAccessKey= (its plugin: AccountKey= only).
    ("Azure SAS signature", re.compile(r"(?i)(?<![\w-])sig=([A-Za-z0-9%+/=]{20,})")),
    ("Azure shared access key", re.compile(r"(?i)\bSharedAccessKey=([A-Za-z0-9+/=]{20,})")),
    (
        "authorization header",
        re.compile(
            # (nginx: proxy_set_header Authorization "Basic x")
            r"(?i)\bauthorization[\"']?(?:\s*[:=]\s*[\"']?|[ \t]{1,5}[\"'])"
            r"(?:basic|bearer|token|digest|apikey|api-key|ssws|geniekey)\s+"
            r"((?=[A-Za-z0-9+/=._~\-]{0,500}\d)[A-Za-z0-9+/=._~\-]{12,})"
        ),
    ),
)
# A credential's name as people write it before its value: its keyword list (password,
# api_key, secret ...) misses tokens, hyphens (X-API-Key) and other languages.
_LABEL = (
    r"(?:x-)?(?:pass(?:word|wort|wd|phrase)?|pwd|kennwort|mot\s+de\s+passe|contrase(?:ñ|n)a"
    r"|(?:standard|initial|start|einmal|admin|root|wlan|gast|master)(?:passwort|kennwort)"
    r"|senha|wachtwoord|l(?:ö|o)senord(?:et)?|salasana|has(?:ł|l)o|пароль"
    r"|密码|密碼|パスワード|비밀번호|كلمة\s+المرور|पासवर्ड|pw|passcode"
    # An acronym only in capitals: "pin: 1.2.3" pins a version.
    r"|(?-i:PIN(?:[- ](?i:code))?|PSK)"
    r"|(?:client|app|api|shared)[-_ ]?secret|secret(?:[-_ ]?key)?"
    r"|(?:key|trust)?store[-_ ]?pass(?:word)?|key[-_ ]?pass(?:word)?"
    r"|(?:master|encryption|decryption|signing|storage|account|subscription|pre-?shared"
    r"|wpa\d?|wi-?fi|wlan|wireless|network)[-_ ]?key|wlan-schlüssel|netzwerkschlüssel"
    r"|(?:door|alarm|gate|safe|locker|keypad)[-_ ]?code|(?:backup|recovery)[-_ ]?codes?"
    r"|(?:safe|locker|lock)[-_ ]?combination"
    r"|(?:api|app|access|auth|private|bearer|refresh|session|personal[-_ ]access)"
    r"[-_ ]?(?:key|token)|(?:license|licence|product|activation)[-_ ]?key|p/w"
    r"|token)"
)
# "for" or "of" in the languages `_LABEL` names, before what a credential is for: "Password
# for prod", "le mot de passe du Wi-Fi", "Lösenordet till wifi", "Пароль от wifi".
_FOR = "(?:for|für|of|on|in|to|du|de|des|del|do|da|von|vom|zum|zur|till|för|voor|van|dla|для|от"
_FOR += "|par|por)"
# "default" or "initial" after a credential's name: "Senha padrão: x".
_DEFAULT = r"(?:padr(?:ã|a)o|predefinit[ao]|predeterminad[ao]|inicial|provisoire|temporaire)"
# "is" in the languages `_LABEL` names: "Das Passwort lautet x", "le mot de passe est x"
# (Chinese and Japanese write it without spaces: 密码是x, パスワードはx). Not Polish "to":
# it is English "to" too ("Save the password to 1Password" was a secret: a review).
_IS_WORDS = ("ist", "lautet", "est", "es", "è", "é", "är", "jest")
_IS = "(?:" + "|".join(_IS_WORDS) + ")"
# A terminal's prompt after "Password:" (which it does not echo): postgres=#, root@host:~#.
PROMPT = re.compile(r"(?:\w+=|[\w.-]+@[\w.-]+:\S*)[#$>]")
# After "is" (in any language), a dash or a bare space, a value ends the clause: prose goes
# on after a word ("Das Passwort ist Office365 Standard", "密码是Base64编码的字符串"), unless
# the word opens another clause ("is Gu3st2024! for the guest account", "`Xy7#kq` to log in").
_CLAUSE_AFTER = r"(?:for|to|and|or|as|when|if|on|at|in|until|before|after|then|but|so)\b"
_CLAUSE_END = (  # a table's cell ends one too ("| Side door | PIN 4711 |")
    r"[`'\"」』)\]*_]*[ \t]*(?:(?:[.。!！?？,，;；:：]|です|でした)?[ \t]*(?:$|\|)"
    # ... and so does a comma before such a word ("admin / Adm1n2024, then change it")
    rf"|(?:(?<=[ \t])|,[ \t]{{1,3}})(?i:{_CLAUSE_AFTER})|\()"
)
CLAUSE_END = re.compile(_CLAUSE_END)
# One word: prose after a label has spaces; Chinese and Japanese prose has none, so a value
# is not written in their characters ("密码：至少8位" is a rule, not a password).
_VALUE = r"([^\s'\"`*|<>&;\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]{4,200})"
# A credential's name alone, as a table's cell holds it.
LABEL = re.compile(rf"(?i)(?<![A-Za-z0-9]){_LABEL}(?![A-Za-z0-9])")
# A credential's name alone on its line before a colon (`**Password:**`, `API key for prod:`):
# its value may be on the next line.
LABEL_LINE = re.compile(
    rf"(?i)[ \t>#*_`+-]{{0,12}}(?P<label>{_LABEL})(?:[ \t]\([^)\n]{{0,30}}\)"
    rf"|[ \t]{_FOR}[ \t][^:\n]{{1,30}})?[*_` \t]{{0,6}}[:\uff1a][*_` \t\u00a0]{{0,6}}"
    r"(?:[|>][-+]?[ \t]{0,6})?"  # YAML's block scalar: its value on the next lines
)
# ... or a sentence ending in one and a colon (`The password for the guest network is:`):
# what follows the name says what it is for, or that the value comes next.
LEAD_IN_TAIL = re.compile(
    rf"(?i)[ \t]{{0,5}}(?:\([^)\n]{{0,40}}\)[ \t]{{0,5}})?(?:{_FOR}[ \t][^:\n]{{1,60}}?)?"
    r"[ \t]{0,5}(?:(?:is|are|was|will[ \t]be|below|here|as[ \t]follows)[ \t]{0,5})?"
)
# ... or a question asking for one: the credential ends it, but for what it is for, in English
# ("What's the password for the guest Wi-Fi?"; not "Which password manager do we use?" nor
# "What is the password policy for Office365?", whose answers are no secret: a review).
QUESTION_TAIL = re.compile(
    r"(?i)[ \t]{0,5}(?:\([^)\n]{0,40}\)[ \t]{0,5})?"
    r"(?:(?:for|of|on|to)[ \t][^:\n]{1,60}?)?[ \t]{0,5}"
)
# ... or an environment variable's name in a Kubernetes or Compose list (`- name: DB_PASSWORD`,
# then `value: x`).
ENV_NAME_LINE = re.compile(
    r"(?i)[ \t]*(?:-[ \t]*)?name:[ \t]*['\"]?(?P<label>[\w.-]{0,40}?(?:pass(?:word|wd)?|pwd|secret"
    r"|token|api_?key|access_?key|private_?key))['\"]?[ \t]*"
)
# A password's name in English prose, after a verb ("use the guest password x"), and an
# article or one word before it.
_PASSWORD_WORD = (
    r"(?:pass(?:word|phrase|code)|pwd|pw|(?-i:PIN)(?:[- ]code)?"
    r"|(?:door|alarm|gate|safe|locker|keypad)[-_ ]?code)"
)
_DETERMINER = (
    r"(?:(?:the|this|that|a|an|our|your|its|their|my)[ \t]{1,5})?(?:[\w-]{1,20}[ \t]{1,5})?"
)
_PASSWORD_GATE = ("pass", "pwd", "pw", "pin", "door", "alarm", "gate", "safe", "locker", "keypad")
# An apposition names one credential, not a kind of them: its name follows "the" or a
# possessive ("The admin password, x, must ...", "Our root password, x, is ..."; not "a
# password, OAuth2, or an API key", "Supported methods: password, Kerberos5, and ..."), and
# the clause goes on after the second comma with a verb: an auxiliary or a modal, a verb a
# credential does, or a past participle, maybe after an adverb. Not "and", "or" nor a third
# item of a list ("You need a password, YubiKey5, and your badge").
# A capitalised word at a sentence's start stands for the determiner ("Admin password, x,
# must be changed", "Default admin password, x, is ..."), and after "with the" the value may
# end the sentence ("Log in with the admin password, Adm1n2024."): `APPOSITION_WITH`.
APPOSITION_BEFORE = re.compile(
    r"(?i)(?<![\w-])(?:(?P<with>with)[ \t]{1,3})?(?:the|this|that|our|your|my|its|their|his|her)"
    r"[ \t]{1,3}(?:[\w-]{1,20}[ \t]{1,3}){0,2}$"
    r"|(?:^[ \t]{0,3}(?:[-*+>][ \t]{1,3})?|[.!?][ \t]{1,3})[*_]{0,2}(?-i:[A-Z])[\w-]{0,19}"
    r"[ \t]{1,3}(?:[\w-]{1,20}[ \t]{1,3})?$"
)
APPOSITION_WITH = re.compile(r"[`'\"*_]{0,3}(?:[.!?](?=[ \t]|$)|[ \t]*$)")
APPOSITION_AFTER = re.compile(
    r"[`'\"*_]{0,3},[ \t]{1,3}(?:(?:also|still|only|now|then|never|always|usually|just)"
    r"[ \t]{1,3})?(?:(?:is|isn't|are|was|were|will|won't|would|must|should|shall|can|cannot"
    r"|can't|could|may|might|has|have|had|does|doesn't|did|expires|opens|unlocks|works|gets"
    r"|goes|stays|remains|needs|lives|belongs|changes)\b|[a-z]{2,20}ed\b(?![ \t]*,))"
)
# An encoding's, a hash's or a cipher's name is no password ("Use password Base64, then
# decode", "Password: SHA256"), though its shape is a made-up one's.
ENCODING = re.compile(
    r"(?i)(?:base(?:16|32|36|58|62|64|85|91)|sha-?(?:1|2|3|224|256|384|512)|md[245]|rot-?13"
    r"|utf-?(?:8|16|32)|crc-?(?:16|32)|aes-?(?:128|192|256)|rsa-?(?:1024|2048|3072|4096))"
)
# Hash algorithms' names as hashlib guarantees them on every platform (sha3_256, blake2b
# ...; not `algorithms_available`, the local OpenSSL's: a page must be redacted alike on every
# machine, so the names OpenSSL often adds are listed), lower case without '-' and '_', and
# the password hashes and ciphers it has none for (bcrypt, Argon2id, PBKDF2, AES, Java's PBE):
# `secrets._algorithm` reads "SHA3-256", "PBKDF2-SHA256" and "AES-256-GCM" as names.
ALGORITHMS = frozenset(re.sub("[-_]", "", a.lower()) for a in hashlib.algorithms_guaranteed)
ALGORITHMS |= frozenset(
    """bcrypt scrypt yescrypt argon2 argon2i argon2d argon2id pbkdf2 hmac md5crypt sha256crypt
    sha512crypt aes des 3des rsa ecdsa ed25519 chacha20 poly1305 md4 md5sha1 ripemd160
    sha512224 sha512256 sm3 whirlpool pbe""".split()
)
# ... and JOSE's signing algorithms (RFC 7518 3.1, RFC 8037, RFC 8812: "JWT secret: HS256"),
# a fixed registry: PyJWT lists them only as installed (its RS and ES ones need cryptography,
# which kb does not ask for), and redaction must not depend on what else is installed.
ALGORITHMS |= frozenset(f"{f}{n}" for f in ("hs", "rs", "es", "ps") for n in (256, 384, 512))
ALGORITHMS |= frozenset(("es256k", "eddsa"))
# ... and what is written beside one: a block cipher's mode (NIST SP 800-38A to 38E, and OCB,
# SIV), a key's, a digest's or a MAC's size in bits (a multiple of 32: "AES-256",
# "HMAC-SHA1-96", "RSA-4096"; not a year: "md5-2024" is a password), a version ("v19").
CIPHER_MODES = frozenset("ecb cbc cfb cfb8 ofb ctr gcm ccm xts ocb siv".split())
ALGORITHM_SIZES = range(32, 16385, 32)
# How an algorithm's name is written: letters and digits, maybe in parts joined by '-', '_'
# or '+' ...
ALGORITHM_TEXT = re.compile(r"[A-Za-z0-9]+(?:[-_+][A-Za-z0-9]+)*")
# ... and its parts: a run of capitals, a word's letters, or digits (SHA256withRSA is SHA,
# 256, with, RSA; PBKDF2WithHmacSHA256 is PBKDF, 2, With, Hmac, SHA, 256). Java's standard
# names join two names with "with" or "and" (SHA256withRSA, PBEWithMD5AndDES).
ALGORITHM_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
ALGORITHM_JOINERS = frozenset(("with", "and"))
# A password hash's cost parameters, a letter and its number after the hash's name: scrypt's
# N, r, p (RFC 7914) and its log2 N "ln", Argon2's m, t, p (RFC 9106): "scrypt-N16384-r8-p1".
ALGORITHM_PARAMETERS = frozenset(("n", "ln", "r", "p", "m", "t"))
# A limit's word before a PIN's name: "Max PIN: 9999 (default)" is a limit, not a PIN.
LIMIT_BEFORE = re.compile(r"(?i)(?<![\w-])(?:max(?:imum)?|min(?:imum)?|length)[ \t.]{1,3}$")
# (kind, pattern, gate): the value is the pattern's last group; "labelled" values are judged
# by what the name calls them (`secrets._credible`), the others as a keyword's value is. A
# line must hold a gate's text for its pattern to run. Every repetition next to another that
# could match the same characters is bounded: a line of spaces cannot make them slow.
# A credential's name in code, where words are joined by '_' or run together (DB_PASSWORD,
# apiKey, client_secret).
_CODE_NAME = r"\w{0,40}(?:pass(?:word|wd)?|pwd|secret|key|token)\w{0,20}"
LABELLED = (
    # `**Password**: x`, `X-API-Key: x`, `Passwort: x`, `?token=x`, `Password (prod): x`,
    # `{"token": "x"}`.
    (
        "labelled",
        re.compile(
            rf"(?i)(?<![A-Za-z0-9]){_LABEL}(?![A-Za-z0-9])['\"]?[*_` \t\u00a0\u202f]{{0,12}}"
            # what it is for: "(prod)", "for prod", "of the admin account"
            rf"(?:\([^)\n]{{0,30}}\)|{_FOR}[ \t][^:=\n]{{1,30}}|{_DEFAULT})?"
            rf"[*_` \t\u00a0\u202f]{{0,12}}"
            rf"(?P<sep>[:?]?=>?|[:\uff1a]|is:?|{_IS}(?=[ \t:])(?:[ \t\u00a0]?[:\uff1a])?"
            rf"|-{{1,2}}>?(?=[ \t])|→|[是为為は][:\uff1a]?"
            # a bare space, before a quoted value ("and password `Sommer2024!`")
            rf"|[ \t](?=[`'\"])"
            # ... a PIN's or a door code's digits after a bare space ("PIN 4711", "alarm code
            # 2580 then press OK"), and a value in an apposition ("The admin password,
            # Adm1n2024, must be changed": `secrets._apposition` says when it is one)
            rf"|[ \t](?=\d)|(?P<apposition>,)(?=[ \t]))"
            rf"[*_` \t\u00a0\u3000]{{0,12}}['\"「『]?"
            rf"{_VALUE}"
        ),
        ("pass", "pwd", "wort", "woord", "secret", "key", "token", "contrase", "senha", "hasło")
        + ("haslo", "парол", "lösen", "losen", "salasana", "pw", "psk", "pin", "密码", "密碼")
        + ("パスワード", "비밀번호", "المرور", "पासवर्ड", "passcode", "p/w")
        # ... code (not every "code"), combination, and the WLAN-Schlüssel
        + ("door", "alarm", "gate", "safe", "locker", "keypad", "backup", "recovery")
        + ("combination",)
        + ("schlüssel",),
    ),
    # Prose that says to use it: "Use password x for the guest account", "log in with the
    # password x", "set the PIN to x", "use x as the password". The verb is the separator: the
    # value must look made up and end the clause ("with the password SelfService2 portal").
    (
        "labelled",
        re.compile(
            r"(?i)(?P<sep>\b(?:use|using|with|enter|type|try|(?:re)?set|chang(?:e|ed))|(?<=\w),)"
            r"[ \t]{1,5}"
            rf"{_DETERMINER}{_PASSWORD_WORD}[ \t]{{1,5}}(?:to[ \t]{{1,5}})?[`'\"]?{_VALUE}"
        ),
        _PASSWORD_GATE,
    ),
    (
        "password",
        re.compile(
            rf"(?i)\b(?P<sep>use|enter|type|try)[ \t]{{1,5}}[`'\"]?{_VALUE}[`'\"]?[ \t]{{1,5}}as"
            rf"[ \t]{{1,5}}{_DETERMINER}{_PASSWORD_WORD}(?={_CLAUSE_END})"
        ),
        _PASSWORD_GATE,
    ),
    # ... or the value first, at a sentence's start: "Kx9pQ2vLm7 is the password for prod".
    (
        "password",
        re.compile(
            rf"(?i)(?:^|(?<=[.!?:][ \t]))[ \t]{{0,3}}[`'\"*_]{{0,3}}{_VALUE}[`'\"*_]{{0,3}}"
            r"[ \t]{1,3}(?:is|was)[ \t]{1,3}(?:the|our|your|its|their|my)[ \t]{1,3}"
            rf"(?:[\w-]{{1,20}}[ \t]{{1,3}})?{_PASSWORD_WORD}(?={_CLAUSE_END})"
        ),
        _PASSWORD_GATE,
    ),
    # A password as a call's argument where the API says so: the second after a user's name
    # (requests' auth=("u", "x"), HTTPBasicAuth, .NET's NetworkCredential, Java's
    # PasswordAuthentication), the third of a database connection (mysqli_connect(host, "u",
    # "x"), new PDO($dsn, "u", "x"), DriverManager.getConnection(url, "u", "x")). Literals only.
    (
        "password",
        re.compile(
            r"(?:\bauth[ \t]{0,3}=[ \t]{0,3}[(\[]|\b(?:HTTP(?:Basic|Digest|Proxy)Auth|BasicAuth"
            r"|NetworkCredential|PasswordAuthentication|UsernamePasswordCredentials)[ \t]{0,3}\()"
            r"[ \t]{0,3}['\"][^'\"\n]{1,100}['\"][ \t]{0,3},[ \t]{0,3}"
            r"(?:password[ \t]{0,3}=[ \t]{0,3})?['\"]([^'\"\s]{4,200})['\"]"
            r"|\b(?:mysqli?_connect|new[ \t]{1,3}(?:mysqli|PDO)|DriverManager\.getConnection)"
            r"[ \t]{0,3}\([^,()\n]{1,200},[ \t]{0,3}['\"][^'\"\n]{1,100}['\"][ \t]{0,3},[ \t]{0,3}"
            r"['\"]([^'\"\s]{4,200})['\"]"
        ),
        ("auth", "credential", "mysql", "pdo", "getconnection"),
    ),
    # "with username admin and password x", "user: admin / pass x": a user's name before it
    # says what follows is the value (it must still look made up and end the clause).
    (
        "password",
        re.compile(
            r"(?i)\buser(?:[ \t]?name)?(?:[ \t]{0,3}[:=])?[ \t]{1,5}[`'\"]?[\w.@\\-]{1,60}[`'\"]?"
            r"(?:[ \t]{0,5}[,/;][ \t]{0,5}|[ \t]{1,5}(?:and[ \t]{1,5})?)"
            rf"(?P<sep>{_PASSWORD_WORD}|pass)(?:[ \t]{{0,3}}[:=])?[ \t]{{1,5}}[`'\"]?{_VALUE}"
        ),
        ("user",),
    ),
    # A user and a password joined by '/' where signing in is said: after a verb of logging
    # in ("Log in as admin / Adm1n2024"; not "log in and open src / main"), or a default
    # account's name (Admin and Root capitalised too: a table's cell, a line's start), not
    # inside a path or a list of alternatives ("admin / Adm1n2024"; not "Settings / admin /
    # Adm1n2024" nor "sqlite / postgres / MySQL8"). The '/' is the separator: the value must
    # look made up and end the clause, so a path or a ratio ("16 / 9") is none, and
    # `secrets._PRODUCT` says when it is a product's name and version ("Navigate to Admin /
    # Microsoft365"; not after a default account's name in lower case: "root / Toor2024").
    (
        "password",
        re.compile(
            r"(?i)(?:\b(?:log(?:[ \t]?(?:in|on))?|sign[ \t]?(?:in|on)|connect|ssh)\b"
            r"[^\n/:=]{0,40}?[ \t](?:(?P<account>as)|with|using|use|enter|:)[ \t]{1,5}[`'\"]?"
            r"(?-i:[a-z][\w.@\\-]{0,59})"
            r"|(?<![\w/.-])(?<!/[ \t])"
            r"(?-i:[aA]dmin(?:istrator)?|[rR]oot|guest|sa|pi|ubnt|postgres|superuser))"
            rf"[`'\"]?[ \t]{{0,3}}(?P<sep>/)[ \t]{{0,3}}[`'\"]?{_VALUE}"
        ),
        ("log", "sign", "connect", "ssh", "admin", "root", "guest", "ubnt", "postgres")
        + ("superuser", "sa /", "sa/", "pi /", "pi/"),  # "sa" and "pi" are in most lines
    ),
    # A Wi-Fi network's key after its name: "SSID: Office-Guest / Key: x" ("Key" alone names
    # a credential only there): the SSID's name, then '/', ',', ';' or '|', or a name without
    # spaces, then a space or a dash (a table row copied as text: "SSID: Office-Guest Key: x",
    # "SSID: Office-Guest — Key: x"), then the key's, so another key on the line is none
    # ("SSID: CorpNet. Registry key: HKLM\\Software\\Wlan2").
    (
        "labelled",
        re.compile(
            r"(?i)\bSSID\b[*_` \t]{0,6}(?:[:=]|is\b)?[*_` \t]{0,6}"
            r"(?:[^\n/,;|:=]{1,40}?[ \t]{0,3}[/,;|][ \t]{0,3}"
            r"|[^\s/,;|:=]{1,40}[ \t]{1,3}(?:[\u2014\u2013][ \t]{1,3})?)"
            r"(?:(?:wi-?fi|wlan|wpa\d?|network|wireless)[ \t-])?"
            r"(?:key|psk|pass(?:word|phrase)?|pw)"
            rf"[*_` \t]{{0,6}}[:=][*_` \t]{{0,6}}[`'\"]?{_VALUE}"
        ),
        ("ssid",),
    ),
    # ... or in brackets after a wireless network's word and maybe its name: "Guest Wi-Fi:
    # BW-Guest (Key: x)", "SSID BW-Staff (key: x)", 'Wi-Fi "Office Guest" (key: x)', "Wi-Fi
    # (key: x)". "Network" names a network only with a name after it, one a network is
    # given (quoted, or with a digit, '-', '_' or a capital inside: BW-Guest, Office5G,
    # CorpNet): "Network policy (key: Section-4.2)" is a legend. The bracket holds the value
    # alone: it runs to the bracket's end, symbols and all ("Tr0ub4dor&3"), and has no space.
    (
        "labelled",
        re.compile(
            r"(?i)(?:\b(?:SSID|wi-?fi|wlan|wireless)\b[*_` \t]{0,6}(?:(?:[:=]|is\b)?"
            r"[*_` \t]{0,6}(?:\"[^\"\n]{1,40}\"|'[^'\n]{1,40}'|[^\s()'\":=]{1,40})[ \t]{1,3})?"
            r"|\bnetwork\b[*_` \t]{0,6}(?:[:=]|is\b)?[*_` \t]{0,6}(?:\"[^\"\n]{1,40}\""
            r"|'[^'\n]{1,40}'|(?=[^\s()'\":=]{0,40}?(?-i:[\d_-]|[A-Za-z][A-Z]))[^\s()'\":=]{1,40})"
            r"[ \t]{1,3})"
            r"\((?:key|psk|pass(?:word|phrase)?|pw)[ \t]{0,3}[:=][ \t]{0,3}([^\s()]{4,200})(?=\))"
        ),
        ("ssid", "wi-fi", "wifi", "wlan", "wireless", "network"),
    ),
    # A Wi-Fi network's QR code: WIFI:S:name;T:WPA;P:x;;
    ("password", re.compile(r"\bWIFI:(?:[^;\n]{0,100};){0,6}?P:([^;\n]{4,200});"), ("wifi:",)),
    # Markup: <password>x</password>, <add key="ApiKey" value="x"/>.
    (
        "labelled",
        re.compile(rf"(?i)<(?P<label>{_LABEL})>[ \t]{{0,5}}{_VALUE}[ \t]{{0,5}}</(?P=label)>"),
        ("</",),
    ),
    (
        "labelled",
        re.compile(
            rf"(?i)\b(?:key|name)=['\"][\w.-]{{0,30}}?{_LABEL}['\"][ \t]{{1,5}}"
            rf"value=['\"]{_VALUE}"
        ),
        ("value=",),
    ),
    (  # <entry key="db.password">x</entry>, <value name="password">x</value>
        "labelled",
        re.compile(
            rf"(?i)<(?P<tag>\w{{1,30}})[ \t][^>\n]{{0,60}}?\b(?:key|name)=['\"][\w.-]{{0,30}}?"
            rf"{_LABEL}['\"][^>\n]{{0,60}}>[ \t]{{0,5}}{_VALUE}[ \t]{{0,5}}</(?P=tag)>"
        ),
        ("</",),
    ),
    (  # ... and the other way round: <add value="x" key="ApiKey"/>
        "labelled",
        re.compile(
            rf"(?i)\bvalue=['\"]{_VALUE}['\"][ \t]{{1,5}}(?:key|name)=['\"][\w.-]{{0,30}}?"
            rf"{_LABEL}['\"]"
        ),
        ("value=",),
    ),
    # A token as a URL's user: https://TOKEN@github.com/x (user:password@ is a keyword's); it
    # must look generated (digits and mixed case, or 32 letters and digits), not a service
    # account's name (https://jenkins-ci-automation@ci.example.com).
    (
        "token",
        re.compile(
            r"\b[a-z][a-z0-9+.-]{1,20}://((?=[\w-]{0,200}\d)(?:(?=[\w-]{0,200}[A-Z])"
            r"(?=[\w-]{0,200}[a-z])[A-Za-z0-9_-]{16,200}|[A-Za-z0-9]{32,200}))@"
        ),
        ("://",),
    ),
    # Command lines: curl's user:password, --password / --api-key / --token, mysql -pX,
    # docker login -p, sshpass -p.
    (
        "password",
        re.compile(
            r"\bcurl\b[^\n|;&]{0,300}?\s(?:-u|--user)(?:=|[ \t]{1,5})?['\"]?"
            r"[^\s:'\"]{1,100}:([^\s'\"@]+)"
        ),
        ("curl",),
    ),
    (
        "labelled",
        re.compile(
            r"(?i)(?<![\w-])--(?:[a-z]{1,20}-){0,3}(?:pass(?:word|wd|phrase)?|token|api-?key|key|secret)"
            r"[= ]['\"]?([^\s'\"]+)"
        ),
        ("--",),
    ),
    (
        "password",
        re.compile(r"\b(?:mysql\w*|mariadb\w*)\b[^\n|;&]{0,300}?\s-p(?!\s)['\"]?([^\s'\"]+)"),
        ("mysql", "mariadb"),
    ),
    # redis-cli -a x, mongosh -p x, sqlcmd -P x, ldapsearch -w x, keytool -storepass x; plain
    # "mongo" only first on its line or after a shell's | ; & $ (not "docker run mongo -p
    # 27017", where it names a container), and never a port after -p.
    (
        "password",
        re.compile(
            r"(?:\b(?:redis-cli[^\n|;&]{0,300}?\s-a|mongo\w{1,10}\b[^\n|;&]{0,300}?\s-p"
            r"|(?:sqlcmd|isql|osql|bcp)\b[^\n|;&]{0,300}?\s-P|ldap\w{1,20}\b[^\n|;&]{0,300}?\s-w"
            r"|keytool\b[^\n|;&]{0,300}?\s-(?:src|dest)?(?:store|key)pass)"
            r"|(?:^|[`|;&$(])[ \t]{0,20}(?:sudo[ \t]{1,5})?mongo\b[^\n|;&]{0,300}?\s-p)"
            r"[ \t]{1,5}['\"]?(?!\d+(?::\d+)?(?:\s|$))([^\s'\"-][^\s'\"]*)"
        ),
        ("redis-cli", "mongo", "sqlcmd", "isql", "osql", "bcp", "ldap", "keytool"),
    ),
    (
        "password",
        re.compile(
            r"\b(?:(?:docker|podman|nerdctl|az|helm(?:[ \t]+registry)?)[ \t]+login|sshpass)\b"
            r"[^\n|;&]{0,300}?\s-p[ \t]{0,5}['\"]?([^\s'\"]+)"
        ),
        ("login", "sshpass"),
    ),
    # Samba's user%password (smbclient -U admin%x, rpcclient, mount.cifs' user=admin%x).
    (
        "password",
        re.compile(
            r"\b(?:smb\w{0,10}|rpcclient|net|wbinfo)\b[^\n|;&]{0,300}?\s(?:-U|--user(?:name)?)"
            r"(?:=|[ \t]{1,5})['\"]?[^\s%'\"]{1,100}%([^\s'\"]+)"
        ),
        ("smb", "rpcclient", "net", "wbinfo"),
    ),
    # Positional passwords: htpasswd -b file user x; Windows' net user name x; an echo of
    # user:x into chpasswd.
    (
        "password",
        re.compile(
            r"\bhtpasswd(?=[^\n|;&]{0,40}[ \t]-\w*b)"
            r"(?:[ \t]{1,5}-\w{1,5}(?:[ \t]{1,5}\d{1,3})?){1,4}"  # its flags: -b, -bB -C 10
            r"(?:[ \t]{1,5}[^\s-]\S{0,200}){2}[ \t]{1,5}['\"]?([^\s'\"]+)"
        ),
        ("htpasswd",),
    ),
    (
        "password",
        re.compile(
            r"(?i)\bnet[ \t]{1,5}(?:user[ \t]{1,5}(?:\"[^\"\n]{1,100}\"|[^\s/\"]\S{0,100})"
            r"|use\b[^\n|;&]{0,100}?\\\\\S{1,200}|use\b[^\n|;&]{0,200}?[ \t]/user:\S{1,100})"
            r"[ \t]{1,5}([^\s/*\"]\S*)"
        ),
        ("net",),
    ),
    # A value piped into a command that reads it as a password: docker login --password-stdin,
    # sudo -S, chpasswd (user:x).
    (
        "password",
        re.compile(
            r"\b(?:echo|printf)[ \t]{1,5}(?:-n[ \t]{1,5})?['\"]?(?:[^\s:'\"|]{1,100}:"
            r"(?=[^\n|]{0,200}\|[ \t]{0,5}(?:sudo[ \t]{1,5})?chpasswd))?"
            r"([^\s'\"|=]{4,200})['\"]?[ \t]{0,5}\|"  # a setting (vm.swappiness=10) is no value
            r"(?=[^\n]{0,200}(?:--password-stdin|\bsudo[ \t]{1,5}-S\b|\bchpasswd\b"
            r"|\bpasswd[ \t]{1,5}--stdin\b))"
        ),
        ("stdin", "sudo", "chpasswd"),
    ),
    # Oracle's user/password@database (sqlplus, rman, expdp, a thin JDBC URL, userid=).
    (
        "password",
        re.compile(
            r"(?i)(?:\b(?:sqlplus|rman|expdp|impdp|exp|imp|sqlldr|dgmgrl)\b[^\n|;&]{0,100}?\s"
            r"(?:target[ \t]{1,5}|[a-z]{1,10}=)?|jdbc:oracle:\w{1,10}:|\buserid=)"
            r"['\"]?[\w$#.]{1,30}/['\"]?([^\s/@'\"]{4,100})['\"]?(?=@|\s|$)"
            # SQL*Plus's CONNECT, first on its line: user/x@db
            r"|^(?:SQL>)?[ \t]*(?i:conn(?:ect)?)[ \t]{1,5}[\w$#.]{1,30}/([^\s/@'\"]{4,100})@"
        ),
        ("sqlplus", "rman", "exp ", "expdp", "imp ", "impdp", "sqlldr", "dgmgrl", "oracle")
        + ("userid=", "conn"),
    ),
    # SQL: CREATE/ALTER USER ... IDENTIFIED BY x; a .pgpass line (host:port:db:user:x).
    # The keywords in upper case (SQL's; prose never writes them so, and Oracle's
    # "CREATE USER x" may end its line before "  IDENTIFIED BY x"), a SQL or keystore word
    # before it on the line (CONNECT TO scott, GRANT ... TO admin@localhost, KEYSTORE,
    # WALLET, SCHEMA), or the value quoted: "genes identified by genome-wide association
    # studies" is prose (four SciFact abstracts were redacted).
    (
        "password",
        re.compile(
            r"(?i)(?-i:\bIDENTIFIED[ \t]{1,5}BY)[ \t]{1,5}(?:password[ \t]{1,5})?['\"]?"
            r"([^\s'\";:][^\s'\";]*)"
            r"|\b(?:user|role|login|connect|grant|keystore|wallet|schema)\b[^\n;]{0,200}?"
            r"\bidentified[ \t]{1,5}by[ \t]{1,5}"
            r"(?:password[ \t]{1,5})?['\"]?([^\s'\";:][^\s'\";]*)"  # not a bind variable
            r"|\bidentified[ \t]{1,5}by[ \t]{1,5}(?:password[ \t]{1,5})?['\"]([^\s'\";:][^\s'\";]*)"
        ),
        ("identified",),
    ),
    (
        "password",
        re.compile(
            r"^[ \t]*[\w.*-]{1,100}:(?:\d{2,5}|\*):[\w*-]{1,60}:[\w*.@-]{1,60}:"
            r"([^\s:]{4,200})[ \t]*$"  # no colon in it: not an IPv6 or MAC address
        ),
        (":",),
    ),
    # Redis (requirepass x, masterauth x, AUTH x at its prompt), RabbitMQ, SNMP, Cisco
    # (password 0 x, enable secret 5 x).
    (
        "password",
        re.compile(
            r"(?i)(?:^|>)[ \t]*(?:(?:config[ \t]{1,5}set[ \t]{1,5})?(?:requirepass|masterauth)"
            r"|(?-i:AUTH)(?:[ \t]{1,5}[\w-]{1,40})?"
            r"|rabbitmqctl[ \t]{1,5}(?:add_user|change_password)[ \t]{1,5}\S{1,100}"
            r"|snmp-server[ \t]{1,5}community|(?:username[ \t]\S{1,60}[^\n]{0,60}[ \t])?"
            r"(?:enable[ \t]{1,5})?(?:password|secret)[ \t]{1,5}[057]"
            r"|key-string(?:[ \t]{1,5}[07])?|wpa-psk[ \t]{1,5}ascii(?:[ \t]{1,5}[07])?"
            r"|(?:tacacs|radius)-server[ \t]{1,5}key(?:[ \t]{1,5}[07])?"
            r"|crypto[ \t]{1,5}isakmp[ \t]{1,5}key(?:[ \t]{1,5}[06])?"
            r"|snmp\w{0,10}\b[^\n|;&]{0,200}?[ \t]-[cAX])"
            r"[ \t]{1,5}['\"]?([^\s'\"]{4,200})"
        ),
        ("requirepass", "masterauth", "auth", "rabbitmqctl", "snmp", "password", "secret")
        + ("key-string", "wpa-psk", "-server", "isakmp"),
    ),
    # PowerShell: ConvertTo-SecureString "x" -AsPlainText, -Password "x", -AccountKey x.
    (
        "password",
        re.compile(
            r"(?i)\bConvertTo-SecureString[ \t]{1,5}(?:-String[ \t]{1,5})?"
            r"['\"]([^'\"\n]{4,200})['\"]"
        ),
        ("convertto-securestring",),
    ),
    (
        "labelled",
        re.compile(
            r"(?i)(?<![\w-])-(?:[a-z]{0,20}password|pwd|passphrase"
            r"|(?:api|storageaccount|account|access|secret)key|sastoken|token|secret)[ \t]{1,5}"
            r"['\"]?([^\s'\"$][^\s'\"]{3,199})"  # not a $variable: a literal is quoted
        ),
        ("password", "-pwd", "passphrase", "key", "token", "secret"),
    ),
    # ODBC's Pwd={x}: braces quote a value (detect-secrets reads {x} as a template).
    (
        "password",
        re.compile(r"(?i)(?:^|;)[ \t]*(?:pwd|password)[ \t]*=[ \t]*\{([^}\s]{4,200})\}"),
        ("pwd=", "password="),
    ),
    # Kubernetes: a kubeconfig's client key, a pull secret's .dockerconfigjson, and the base64
    # user:password of a registry's "auth" in Docker's config.json.
    (
        "Kubernetes secret",
        re.compile(
            r"(?i)(?:client-key-data|\.dockerconfigjson)['\"]?[ \t]*:[ \t]*['\"]?"
            r"([A-Za-z0-9+/=]{16,})"
        ),
        ("client-key-data", "dockerconfigjson"),
    ),
    (
        "password",
        re.compile(
            r"(?i)['\"]auth['\"][ \t]*:[ \t]*['\"]([A-Za-z0-9+/=]{12,})['\"]"
            r"|^[ \t]*auth:[ \t]*([A-Za-z0-9+/]{12,}={0,2})[ \t]*$"
            # ... and an .npmrc's legacy _auth (base64 of user:password)
            r"|(?:^|:)_auth[ \t]*=[ \t]*['\"]?([A-Za-z0-9+/]{12,}={0,2})"
        ),
        ('auth"', "auth'", "auth:", "_auth"),
    ),
    # Code and shells that set a credential by its name in forms its keyword patterns miss (a
    # comma or a space between name and value, a name after a drive): PHP's define('DB_PASSWORD',
    # 'x') (WordPress' wp-config.php), Windows' setx API_KEY x, PowerShell's $env:API_KEY="x",
    # aws configure set aws_secret_access_key x. "named": the name says its kind, and the value
    # is judged as a keyword's, as code writes it.
    (
        "named",
        re.compile(
            r"(?i)\bdefine[ \t]{0,3}\([ \t]{0,3}['\"]\w{0,40}(?:pass(?:word|wd)?|pwd|secret|key"
            r"|token|salt)\w{0,20}['\"][ \t]{0,3},[ \t]{0,3}['\"]([^'\"\s]{4,200})['\"]"
            r"|\$env:\w{0,40}(?:pass(?:word|wd)?|pwd|secret|key|token)\w{0,20}[ \t]{0,3}=[ \t]{0,3}"
            r"['\"]?([^\s'\"$]{4,200})"
            r"|\baws[ \t]{1,5}configure[ \t]{1,5}set[ \t]{1,5}(?:[\w-]{1,40}\.)?"
            r"aws_(?:secret_access_key|session_token)[ \t]{1,5}['\"]?([A-Za-z0-9/+=]{20,})"
        ),
        ("define", "$env:", "configure"),
    ),
    (
        "named",
        re.compile(
            # setx NAME x (Windows), setenv NAME x (csh), set -x NAME x (fish), ENV NAME x
            # (a Dockerfile's older form)
            r"(?i)(?:\b(?:setx|setenv|set[ \t]{1,5}-[gUxl]{1,4})|^[ \t]{0,8}(?-i:ENV))[ \t]{1,5}"
            rf"['\"]?{_CODE_NAME}['\"]?[ \t]{{1,5}}['\"]?([^\s'\"=]{{4,200}})"
        ),
        ("setx", "setenv", "set -", "env "),
    ),
    # Clojure's {:password "x"}, a pair (Erlang's {password, "x"}, Python's ("password", "x")),
    # VB's Dim password As String = "x", Objective-C's = @"x": each gated by its own mark, not
    # by the name (most pages name a key or a password).
    (
        "named",
        re.compile(rf"(?i)(?<![\w:]):{_CODE_NAME}[ \t]{{1,5}}\"([^\"\s]{{4,200}})\""),
        ("{:", " :"),
    ),
    (
        "named",
        re.compile(
            rf"(?i)[({{\[][ \t]{{0,3}}['\"]?{_CODE_NAME}['\"]?[ \t]{{0,3}},[ \t]{{0,3}}(?:<<)?['\"]"
            r"([^'\"\s]{4,200})['\"]"
        ),
        ('("', "('", '{"', "{'", '["', "['", "{pass", "{secret", "{token", "{api", "(pass"),
    ),
    (
        "named",
        re.compile(
            rf"(?i)\bDim[ \t]{{1,5}}{_CODE_NAME}[ \t]{{1,5}}As[ \t]{{1,5}}String[ \t]{{0,3}}="
            r"[ \t]{0,3}\"([^\"\s]{4,200})\""
        ),
        ("dim ",),
    ),
    (
        "named",
        re.compile(rf"(?i)\b{_CODE_NAME}[ \t]{{0,3}}=[ \t]{{0,3}}@\"([^\"\s]{{4,200}})\""),
        ('@"',),
    ),
    # A session cookie (Cookie: session=x, Set-Cookie: sid=x; not an analytics cookie's
    # dotted numbers: _ga=GA1.2.1234567890.1600000000), a URL's ?key=x, and an
    # environment's NAME_KEY=x (FERNET_KEY, APP_KEY, RAILS_MASTER_KEY; not a public,
    # publishable, site or verification key): the value must look generated.
    (
        "labelled",
        re.compile(
            r"(?i)(?:^|[\s'\"])(?:set-)?cookie:[ \t]{0,5}[\w.-]{1,60}=([A-Za-z0-9%_+/=-]{16,200})"
            r"|[?&](?:api[-_]?)?key=([A-Za-z0-9_\-]{16,200})"
            r"|(?<![\w$.-])(?!\w{0,40}(?:PUBLIC|PUB_|PUBLISHABLE|SITE_|VERIFICATION|VKEY))"
            r"(?-i:[A-Z][A-Z0-9]{0,30}(?:_[A-Z0-9]{1,30}){0,4}_KEY)[ \t]{0,3}(?:=|:[ \t])[ \t]{0,3}"
            r"['\"]?(?:base64:)?([A-Za-z0-9+/=_\-.~]{16,200})"
        ),
        ("cookie:", "key=", "_key:"),
    ),
    # Go's MySQL driver's DSN: "user:x@tcp(host:3306)/db".
    (
        "password",
        re.compile(r"['\"`][\w.-]{1,60}:([^\s@'\"`/:]{1,200})@(?:tcp|unix)\("),
        ("@tcp(", "@unix("),
    ),
    # Command lines of archives, OpenSSL and remote administration: zip -P x, 7z -px, openssl
    # -k x, openssl passwd -6 x (useradd -p "$(openssl passwd x)"), psexec -p x, rdesktop -p x,
    # xfreerdp /p:x, ipmitool -P x, evil-winrm -p x.
    (
        "password",
        re.compile(
            r"(?:\b(?:zip|unzip|zipcloak)\b[^\n|;&]{0,300}?\s-P|\bopenssl\b[^\n|;&]{0,300}?\s-k"
            r"|\bopenssl[ \t]{1,5}passwd(?:[ \t]{1,5}-(?:salt[ \t]{1,5}\S{1,40}|[\w-]{1,10})){0,4})"
            r"[ \t]{1,5}['\"]?([^\s'\"-][^\s'\"]{3,199})"
        ),
        ("zip", "openssl"),
    ),
    (
        "password",
        re.compile(
            r"(?:\b(?:psexec(?:64)?|paexec|rdesktop|evil-winrm)\b[^\n|;&]{0,300}?\s-p"
            r"|\bipmitool\b[^\n|;&]{0,300}?\s-P)[ \t]{1,5}['\"]?([^\s'\"-][^\s'\"]{3,199})"
        ),
        ("psexec", "paexec", "rdesktop", "evil-winrm", "ipmitool"),
    ),
    ("password", re.compile(r"\b7z[az]?\b[^\n|;&]{0,300}?\s-p['\"]?([^\s'\"]{4,200})"), ("7z",)),
    (
        "password",
        re.compile(r"\b[xw]freerdp3?\b[^\n|;&]{0,300}?\s[/-]p:['\"]?([^\s'\"]{4,200})"),
        ("freerdp",),
    ),
    # Credentials written as user / password: "Credentials: admin / x", "Default login: admin/x".
    (
        "labelled",
        re.compile(
            r"(?i)\b(?:credentials?|creds|login|user(?:name)?[ \t]?/[ \t]?password|zugangsdaten"
            r"|anmeldedaten|identifiants|credenciales|credenziali|inloggegevens)\b"
            r"[^\n:=]{0,30}(?P<sep>[:=]|[ \t](?:are|is|-))[ \t]{0,5}[`'\"]?"
            r"(?-i:[a-z][a-z0-9._@+\\-]{0,59})[`'\"]?(?:[ \t]{0,3}/[ \t]{0,3}|:)"
            r"[`'\"]?([^\s'\"`/]{4,200})"
        ),
        ("credential", "creds", "login", "log in", "sign", "password", "creden", "zugangsdaten")
        + ("anmeldedaten", "identifiants", "inloggegevens"),
    ),
    # A .netrc line, at a line's or a code span's start (not prose's "the default password"):
    # machine host (or default) login user password x.
    (
        "password",
        re.compile(
            r"(?i)(?:^|[`'\"])[ \t]*(?:machine[ \t]+\S+|default)(?:[ \t]+login[ \t]+\S+)?"
            r"[ \t]+password[ \t]+(\S+)"
        ),
        ("machine", "default"),
    ),
)

# A passphrase of words after a password's name and a colon or "is": "the passphrase is
# correct horse battery staple", "Wi-Fi password: purple-elephant-dances" (three to eight
# lower-case words, joined by spaces or by hyphens), maybe with a number after a hyphen, as
# passphrase generators add one ("happy-silly-ocean-42"). `secrets._passphrases` judges the
# words.
PASSPHRASE = re.compile(
    rf"(?i)(?<![A-Za-z0-9])(?P<label>{_LABEL})(?![A-Za-z0-9])[*_` \t\u00a0]{{0,6}}"
    rf"(?:{_FOR}[ \t][^:=\n]{{1,30}}?[ \t]{{0,3}})?(?:is|{_IS}|[:=\uff1a])[*_` \t\u00a0]{{1,6}}"
    r"['\"]?(?P<words>(?-i:[a-z]{3,12})(?P<joint>[ -])(?-i:[a-z]{3,12})"
    r"(?:(?P=joint)(?-i:[a-z]{3,12})){1,6})(?P<number>-\d{1,4})?(?![\w-])"
)
PASSPHRASE_GATE = ("pass", "wort", "woord", "wi-fi", "wifi", "wlan", "ssid", "pin")
# Words prose has after "The passphrase is" ("a sentence you can remember", "never sent to
# the server", "at least four words", "see the vault", "kept offline somewhere safe", "a
# dictionary word combination"), and no passphrase needs.
PROSE_WORDS = frozenset(
    """a an the this that these those some any each every all no none both either neither
    i you he she it we they me him her us them my your his its our their what which who whom
    whose whatever whichever of in on at to for from by with about as into onto over under
    after before between through during without within via per than like and or but nor so
    yet if then because while when where unless until though although is are was were be
    been being am has have had do does did can could will would shall should may might must
    not never always only also just still very too more most less least often usually here
    there one two three four five six seven eight nine ten twelve see ask check contact use
    call set reset change enter type choose pick find read follow keep store send share
    characters chars digits letters symbols words length minimum maximum required optional
    vault manager policy example same different unique random
    kept written held known given shown chosen made sent found left lost told hidden taken seen
    done built put set got
    offline online somewhere nowhere anywhere everywhere elsewhere safe safely secure down up
    out away together
    dictionary word phrase sentence string combination mix series sequence""".split()
)

# What a reader is told to type (`<kbd>x</kbd>`), and a key or a chord of keys, which is what
# it usually holds: keys joined by '+' or repeated with '×' (Strg+F5, Tab×3), a Mac's key
# symbols (⌘+K), and a key's name as English and German keyboards print it (F1 to F24, Ctrl,
# Strg, Umschalt, Tab, Enter, Esc, Num5, Numpad0 ...). No library kb installs lists them.
KBD = re.compile(r"(?i)<kbd>[ \t]{0,3}([^\s<>]{4,200}?)[ \t]{0,3}</kbd>")
# A token, key or secret is pasted, not typed: a <kbd> on a line naming one holds it only
# where its value goes, right after its name or its value's ("Token <kbd>x</kbd>", "Use the
# API token <kbd>x</kbd>", "Client secret: <kbd>x</kbd>", "Token value: <kbd>x</kbd>") or
# before "as" or "for" and its name ("<kbd>x</kbd> as the token", "Use <kbd>x</kbd> for the
# token"); elsewhere it is what is typed around it ("Type <kbd>Rel0ad!x</kbd> to reload the
# token cache").
KBD_AFTER_NAME = re.compile(
    rf"(?i)(?<![A-Za-z0-9-]){_LABEL}(?:[ \t]{{1,3}}(?:value|string))?['\"]?[*_` \t]{{0,6}}"
    rf"(?:(?:[:=\uff1a]|is\b)[*_` \t]{{0,6}})?$"
)
KBD_BEFORE_NAME = re.compile(
    rf"(?i)[ \t]{{1,3}}as[ \t]{{1,3}}{_DETERMINER}{_LABEL}(?![A-Za-z0-9-])"
    # ... or "for" it, where the name ends the clause: "for the token field" names a field
    rf"|[ \t]{{1,3}}for[ \t]{{1,3}}{_DETERMINER}{_LABEL}(?![A-Za-z0-9-])(?={_CLAUSE_END})"
)
KEY_SYMBOLS = frozenset("+×⌘⌥⇧⌃")
KEY = re.compile(
    r"(?i)(?:ctrl|control|strg|alt|altgr|shift|umschalt|cmd|command|win|windows|meta|option"
    r"|opt|fn|super)(?:-.*)?|f(?:[1-9]|1\d|2[0-4])|tab|enter|eingabe|return|esc|escape|space"
    r"|leertaste|backspace|delete|del|entf|insert|einfg|home|pos1|end|ende|page[ _-]?(?:up|down)"
    r"|pg[ _-]?(?:up|dn)|bild[ _-]?(?:auf|ab)|num(?:pad)?[ _-]?(?:\d|lock|enter|plus|minus)?"
)

# A credential's word as people spell one they think strong, letters as digits or symbols
# (p4ss, P@55w0rd, s3cr3t, 4dm1n, W3lc0me); `secrets._self_named` asks for one such letter.
LEET_WORD = re.compile(
    r"(?i)p[a@4][s5$][s5$](?:w[o0]r?d)?|s[e3]cr[e3]t|[a@4]dm[i1!]n|w[e3]lc[o0]m[e3]"
)

# Backup codes' name (MFA's one-time recovery codes: a list of ten or sixteen, each a login):
# "Backup codes", "GitHub recovery codes", "2FA backup codes", "scratch codes".
BACKUP_CODES = re.compile(
    r"(?i)(?<![\w-])(?:(?:backup|recovery|bypass|scratch|emergency|one[- ]time|single[- ]use"
    r"|2fa|mfa|two[- ]factor)[- ](?:(?:verification|login|sign[- ]?in|security|2fa|mfa)[- ])?"
    r"codes?|(?:2fa|mfa)[- ]codes)(?![\w-])"
)
# ... their value after the name and a colon on its line ("Backup codes (GitHub): x, y"), or
# in the next cell of a table's row.
BACKUP_CODES_SAID = re.compile(r"[^:=|\n]{0,40}?[:=\uff1a|]")
# One code: three to sixteen letters and digits, maybe in groups joined by '-' (4938-1720,
# a1b2c-3d4e5); codes are written apart by spaces, commas or a table's '|' ("4938 1720").
BACKUP_CODE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{3,16}(?:-[A-Za-z0-9]{3,16}){0,3}(?![A-Za-z0-9])"
)
# A code of letters alone, in one case ("abcd-efgh", "ABCD-EFGH", "fadedcab"): a word
# written so ("read-only", "Settings") is asked of the rest of its list (`secrets._CodeList`).
LETTERS_CODE = re.compile(r"[a-z]{3,16}(?:-[a-z]{3,16}){0,3}|[A-Z]{3,16}(?:-[A-Z]{3,16}){0,3}")
# ... and what is between two: spaces, commas, '|', code marks, or a second column's number
# ("1. 4938 1720    5. 8810 2231").
BACKUP_CODE_GAP = re.compile(r"[ \t,;|`~*_]{0,40}(?:\d{1,2}[.)][ \t]{1,4})?")
# A list item's marker before codes: "- ", "1. ", "* [ ] ", "> ".
LIST_MARKER = re.compile(
    r"[ \t]{0,12}(?:(?:[-*+>]|\d{1,2}[.)])[ \t]{1,4}){0,2}(?:\[[ xX]\][ \t]{1,4})?"
)
# A table's column of credentials, which a header names without naming their kind.
CREDENTIALS_CELL = re.compile(r"(?i)(?:login[ \t]|user[ \t])?(?:credentials?|creds)")

# Values that documentation writes in place of a password.
PLACEHOLDER = re.compile(
    r"(?ix)^(?:"
    # <your-password>, [hidden], ${VAR}, $VAR, %VAR%, $(command), {{ template }}; but
    # '$ecretAzur3' is not a variable.
    r"[<{\[(][\w\s.\-]*[>}\])]|\$\{[^}]*\}|(?-i:\$[A-Z_][A-Z0-9_]*|%[A-Z_][A-Z0-9_]*%)|\$env:\w+|\$\(.*\)|\{\{.*\}\}"
    # ... and as a page's HTML escapes it (&lt;key&gt;), and Python's %(db_password)s.
    r"|&lt;[\w\s.\-]*&gt;|%\(\w+\)[sdr]"
    # xxxx, xxxx-xxxx, XXXX-XXXX-XXXX, ****-****
    r"|x{3,}(?:[-_ ]x{3,})*|\*{3,}(?:[-_ ]\*{3,})*|\.{3,}|-+|_+|\w*\.\.\.|…"
    # your-password, your-SSO-password, YOUR_API_TOKEN_HERE: "your" and what it is for
    r"|(?:your|my|the|some)(?:[-_ ]?(?:own|new|db|database|app|api|secret|strong)"
    r"|[-_ ][a-z0-9]{1,20}){0,3}?[-_ ]?"
    r"(?:password|passwd|pass|pw|pwd|secret|key|token|value)(?:[-_ ]?here)?\d?"
    # What to type, described: employee-number-1234, badge-id, date-of-birth (an example's
    # digits after it): a word before a noun naming a person's datum.
    r"|(?-i:(?:[a-z]{2,20}[-_]){1,3}(?:number|no|id|name|username|date|birthday|birth|dob"
    r"|email|phone|digits|initials)(?:[-_]\d{1,8})?)"
    r"|pass(?:word|wd)?\d*|secret|changeme|change[-_]me|example\w*|redacted|hidden|placeholder"
    r"|pw|pwd|p@ssw0rd|dummy|test|foo|bar|none|null|true|false|required|optional"
    # A schema's type where an API reference shows a request body: {"password": "string"}.
    r"|string|str|integer|int|number|boolean|bool|object|array"
    # A YAML tag (CloudFormation's !Ref x, Ansible's !vault |) or code reading the environment.
    r"|![A-Za-z][\w:]*|(?:process\.env|os\.environ|ENV|import\.meta\.env)\b.*|os\.getenv\(.*"
    r")$"
)
ENTROPY_MIN_LENGTH = 20
# Public values that stand where a credential could, random-looking but no credential: who
# may pay or be paid, or what a content's hash is (a search for an address or a package must
# find it). A bech32 string (BIP 173) whose human-readable part names a public kind: Cardano's
# (CIP-5) addresses, stake addresses, pool, DRep and committee ids, scripts, assets,
# verification keys and their hashes (`*_vk`, `*_xvk`, `*_vkh`), Bitcoin's segwit addresses,
# Nostr's public key; an extended public key (BIP 32's xpub and its kin); and content hashes:
# Nix's base-32 sha256 (52 characters, its alphabet lacks e, o, t and u) and a store path's
# (32), IPFS's CIDs (v0's Qm..., v1's base-32 bafy...). Hand-edited ones (a '1' inside) too.
PUBLIC_VALUE = re.compile(
    r"(?:(?:addr|stake)(?:_test)?|pool|drep(?:_script)?|cc_(?:cold|hot)(?:_script)?|gov_action"
    r"|asset|script|[a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,15}){0,3}_(?:x?vk|vkh|scripthash)"
    r"|bc|tb|bcrt|npub)1[0-9a-z]{6,}"
    r"|[xtyzuvYZUV]pub[1-9A-HJ-NP-Za-km-z]{100,112}"
    r"|[0-9abcdfghijklmnpqrsvwxyz]{52}|/nix/store/[0-9abcdfghijklmnpqrsvwxyz]{32}(?:-[\w.+-]*)?"
    r"|Qm[1-9A-HJ-NP-Za-km-z]{44}|b(?:af[ykz])[a-z2-7]{52,}"
)
# A private key in a key file's JSON, as a page quotes the file: cardano-cli's text envelope
# of a signing key (`"type": "PaymentSigningKeyShelley_ed25519"`, then `"cborHex": "5820…"`;
# a verification key's is public), cardano-address's `"key_type": "private"` with its
# `"extended_key"`. `secrets._key_files` finds the value in the same object as the type.
KEY_FILE_TYPE = re.compile(
    r"(?i)\"(?:type|key_?type)\"[ \t]*:[ \t]*\"(?:\w{0,60}SigningKey\w{0,60}|private)\""
)
KEY_FILE_VALUE = re.compile(
    r"(?i)\"(?:cborHex|extended_key|private_key|signing_key)\"[ \t]*:[ \t]*\"([0-9a-f]{64,})\""
)
# A token as a name made of a title writes it (`kb import` before it redacted titles): in
# small letters, `_` and `.` as `-` (`deploy-ghp-r4nd0m….md`), which no detector of page text
# finds. Its kind's public prefix (`MARKER`'s, but SendGrid's `SG.`: `sg-0a1b…` is an AWS
# security group), then a run of 16 letters and digits or more within its next three runs;
# a `-` in a prefix is any of `-_.`.
SLUG_KINDS = (
    ("GitHub token", r"gh[pousr]|github-pat"),
    ("GitLab token", r"glpat"),
    ("Slack token", r"xox[abposre](?:-\d+){0,3}"),
    ("Stripe secret key", r"[sr]k-(?:live|test)"),
    ("Google API key", r"aiza"),
    ("JSON web token", r"eyj"),
    ("npm token", r"npm"),
    ("PyPI token", r"pypi"),
    ("Anthropic key", r"sk-ant-[^\W\d_]{3,5}\d\d"),
    ("OpenAI key", r"sk-(?:proj|svcacct|admin)"),
    ("Hugging Face token", r"hf"),
    ("Google OAuth client secret", r"gocspx"),
    ("Docker token", r"dckr-pat"),
    ("Shopify token", r"shp(?:at|ca|pa|ss)"),
    ("DigitalOcean token", r"do[opr]-v1"),
    ("Stripe webhook secret", r"whsec"),
    ("Slack app token", r"xapp-\d"),
    ("Square token", r"sq0atp"),
    ("Linear key", r"lin-api"),
    ("Google OAuth token", r"ya29"),
    ("age secret key", r"age-secret-key-1"),
    ("Vault token", r"hv[sbr]"),
    ("Atlassian token", r"atatt3"),
    ("New Relic key", r"nrak"),
    ("Grafana token", r"glsa|glc"),
    ("Postman key", r"pmak"),
)
SLUGGED = re.compile(
    r"(?i)(?<![a-z0-9])(?:"
    + "|".join(f"({p.replace('-', '[-_.]')})" for _, p in SLUG_KINDS)
    + r")[-_.]?(?:[a-z0-9]{1,15}[-_.]){0,2}([a-z0-9]{16,})(?![a-z0-9])"
    # An AWS key's ID: its prefix and exactly 16 more ("asia-pacific" is a name).
    + r"|(?<![a-z0-9])(a3t[a-z0-9]|akia|asia|abia|acca)([a-z0-9]{16})(?![a-z0-9])"
)
# A file's path where a key's value could be (`CLIENT_KEY='~/.local/share/…/client.key'`,
# `ssh_key: ./keys/deploy.pem`): where the key is, not the key. From home, here or above, or
# from the root to a file with an extension (a base64 key holds no '.').
PATH_VALUE = re.compile(
    r"(?:~|\.{1,2}|\$\{?HOME\}?)/\S*|/(?:[\w.@+-]{1,100}/){1,20}[\w@+-]{1,100}\.[A-Za-z]\w{0,7}"
)
# Text (lower-cased) one of a detector's matches must contain: a line without any skips the
# detector, which saves most of the time on ordinary prose and the slow backtracking patterns.
GATES = {
    "AWS access key ID": ("a3t", "abia", "acca", "akia", "asia"),
    "AWS secret access key": ("aws",),
    "Azure storage key": ("accountkey=",),
    "password in a URL": ("://",),
    "authorization header": ("authorization",),
    "GitHub token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "GitLab token": ("gl", "gr1348941"),
    "JSON web token": ("eyj",),
    "Mailchimp key": ("-us",),
    "OpenAI key": ("t3blbkfj", "sk-"),
    "private key": ("begin", "putty"),
    "PyPI token": ("pypi-",),
    "SendGrid key": ("sg.",),
    "Slack token": ("xox", "hooks.slack.com"),  # xoxe too
    "Stripe secret key": ("k_live_", "k_test_"),
    "Telegram bot token": (":",),
    "Google API key": ("aiza",),
    "Anthropic key": ("sk-ant-",),
    "Hugging Face token": ("hf_",),
    "Google OAuth client secret": ("gocspx-",),
    "Docker token": ("dckr_pat_",),
    "Shopify token": ("shp",),
    "DigitalOcean token": ("_v1_",),
    "Stripe webhook secret": ("whsec_",),
    "npm token": ("_authtoken", "npm_"),
    "Slack app token": ("xapp-",),
    "Square token": ("sq0csp-", "sq0atp-"),
    "Linear key": ("lin_api_",),
    "Google OAuth token": ("ya29.",),
    "age secret key": ("age-secret-key-1",),
    "Vault token": ("hvs.", "hvb.", "hvr.", "vault"),
    "Atlassian token": ("atatt3",),
    "Azure client secret": ("q~",),
    "New Relic key": ("nrak-",),
    "Grafana token": ("glsa_", "glc_"),
    "Postman key": ("pmak-",),
    "webhook URL": ("webhooks/", "webhookb2/"),
    "BitLocker recovery key": ("recovery", "bitlocker"),
    "wallet private key": ("sk1", "prv", "nsec1"),
    "AWS secret key": ("a3t", "abia", "acca", "akia", "asia"),
    "Azure SAS signature": ("sig=",),
    "Azure shared access key": ("sharedaccesskey=",),
}
# Every word of detect-secrets' keyword list contains one of these (api_key, db_pass, pwd ...).
KEYWORD_STEMS = ("key", "pass", "pwd", "secret", "contrase")
ENCLOSED = re.compile(r"[<{\[(][\w\s.\-]*[>}\])]|&lt;[\w\s.\-]*&gt;")
# A key naming where a secret is, not the secret: secret_name, secretRef, password_secret_arn.
REFERENCE = re.compile(
    r"(?:(?<=[_.\-])(?i:name|ref|arn|path|file|env|var|id|version|length|policy|type|hint|expiry"
    r"|ttl|url|uri|field|label|param|store|manager|provider)"  # a part after _ . - ...
    r"|(?<=[a-z])(?:Name|Ref|Arn|Path|File|Env|Var|Id|Version|Length|Policy|Type|Hint|Expiry"
    r"|Ttl|Url|Uri|Field|Label|Param|Store|Manager|Provider))"  # ... or in camelCase
    r"['\"\]]*\s*$"
)
CMDLET = re.compile(r"[A-Z][A-Za-z]{1,20}-[A-Z][A-Za-z]{2,40}")  # PowerShell's Verb-Noun
NAME_BEFORE = re.compile(r"[\w.-]{0,40}$")  # the rest of a name a keyword match starts inside
TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=]{0,2000}")


@dataclass(frozen=True)
class _Only:
    """Some of a detector's patterns, to name what each finds."""

    denylist: tuple


@dataclass(frozen=True)
class Plugins:
    """The detect-secrets objects a scan uses, built once."""

    tokens: tuple  # (kind, RegexBasedDetector)
    keyword_regexes: tuple  # (compiled regex, group of the value)
    base64: object
    heuristic: object


@contextmanager
def _requests_on_first_use() -> Iterator[None]:
    """While detect-secrets' modules are imported, `import requests` gives a stand-in that
    imports requests when one of its names is first read.

    detect-secrets imports requests (urllib3, http.client, email, charset_normalizer: a tenth
    of a second) at the top of its plugin modules, for verifying a secret online, which kb
    never asks it to do; its modules read `requests.` names only inside those functions. The
    stand-in leaves sys.modules when the imports are done: a later `import requests` anywhere
    gets requests itself.
    """
    if "requests" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("requests", "requests, imported when first used")

    def __getattr__(name: str) -> object:  # PEP 562: only names the stand-in lacks
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]
        return getattr(importlib.import_module("requests"), name)

    stand_in.__getattr__ = __getattr__
    sys.modules["requests"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


@lru_cache(maxsize=1)
def plugins() -> Plugins:
    """detect-secrets' detectors, built once per process on first use."""
    with _requests_on_first_use():
        return _plugins()


def _plugins() -> Plugins:
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    # Left out: ArtifactoryDetector and the IBM/Cloudant/SoftLayer ones match ordinary words
    # and hex ids in prose; HexHighEntropyString flags every quoted commit id and checksum.
    tokens = (
        ("AWS access key ID", _Only(AWSKeyDetector.denylist[:1])),
        ("AWS secret access key", _Only(AWSKeyDetector.denylist[1:])),
        ("Azure storage key", AzureStorageKeyDetector()),
        ("password in a URL", BasicAuthDetector()),
        ("Discord bot token", DiscordBotTokenDetector()),
        ("GitHub token", GitHubTokenDetector()),
        ("GitLab token", GitLabTokenDetector()),
        ("JSON web token", JwtTokenDetector()),
        ("Mailchimp key", MailchimpDetector()),
        ("npm token", NpmDetector()),
        ("OpenAI key", OpenAIDetector()),
        ("private key", PrivateKeyDetector()),
        ("PyPI token", PypiTokenDetector()),
        ("SendGrid key", SendGridDetector()),
        ("Slack token", SlackDetector()),
        ("Square token", SquareOAuthDetector()),
        ("Stripe secret key", StripeDetector()),
        ("Telegram bot token", TelegramBotTokenDetector()),
        ("Twilio key", TwilioKeyDetector()),
    )
    # Its "config file" forms (unquoted values allowed, as in YAML, .env and connection
    # strings) and the quoted forms of code.
    regexes = {**keyword.CONFIG_DENYLIST_REGEX_TO_GROUP}
    regexes.update(keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    # Its values must start with a letter or digit; real ones start with '$', '(', '*' ...
    symbol_first = re.compile(
        rf"(?:{keyword.DENYLIST_REGEX})[\]'\"]{{0,2}}[ \t]*(?::=?|=)[ \t]*['\"]?"
        r"([$(*{\[<%!@#&^~+][^\s'\"`]*)",
        re.IGNORECASE,
    )
    regexes[symbol_first] = symbol_first.groups  # the last group: the value
    return Plugins(tokens, tuple(regexes.items()), Base64HighEntropyString(), heuristic)
