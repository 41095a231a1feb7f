"""The real model and real FAISS on the bundled content: the answers a user would expect.

The queries are paraphrases, written by the content authors without copying page wording.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import CONTENT

from kb import Filters

SEARCHES = [
    ("my work computer can't reach internal tools when I'm at home", "security/vpn-access.md"),
    (
        "the expense app on my phone won't let me log in",
        "service-desk/spendwise-app-troubleshooting.md",
    ),
    (
        "expense claims fail to post to the ledger because a category has no GL account",
        "software-engineering/spendwise-netsuite-integration.md",
    ),
    (
        "how do we vet a new vendor's cybersecurity before we sign with them",
        "security/third-party-security-assessment.md",
    ),
    (
        "which labels must I put on AWS resources so the spend is charged to my department",
        "cloud-platform/cost-tagging-and-dashboards.md",
    ),
    (
        "the weekly sales projection numbers in the BI dashboard don't match what the CRM says",
        "data/looker-forecast-dashboard.md",
    ),
    ("I clicked a dodgy link in an email, what should I do now", "security/phishing-reporting.md"),
    (
        "a colleague wiped some records from a live Postgres table by mistake, "
        "how do we recover them",
        "cloud-platform/backup-and-disaster-recovery.md",
    ),
    (
        "when does a departing employee lose their sign-in and email access",
        "service-desk/leavers-account-deprovisioning.md",
    ),
    (
        "single view of each client combining CRM, ERP and marketing records",
        "data/customer-360-model.md",
    ),
    ("how much can I spend taking a customer out for dinner", "finance/expense-policy.md"),
    (
        "daily food allowance when I stay overnight in Germany for work",
        "finance/per-diems-and-travel-rates.md",
    ),
    (
        "a supplier emailed saying they moved to a new bank, what should I do",
        "finance/supplier-bank-details-verification.md",
    ),
    ("who has to sign off if I give a customer 20% off", "sales/discount-approval.md"),
    (
        "what does the hiring manager need to sort out before someone's first day",
        "hr/new-starter-process.md",
    ),
    (
        "a client wants us to wipe all the information we hold about them",
        "legal/gdpr-data-subject-requests.md",
    ),
    (
        "deadline for telling the regulator after customer data was leaked",
        "legal/breach-notification.md",
    ),
    (
        "how are AWS and software licence costs billed to my department",
        "finance/it-budget-and-chargeback.md",
    ),
    (
        "a restaurant wants to send back an oven they no longer need",
        "operations/returns-handling.md",
    ),
    (
        "how many years do we have to keep old invoices and staff files",
        "legal/retention-schedule.md",
    ),
]

EXPERTS = [
    ("who knows about Kubernetes rollbacks and restoring databases from backups", "Marcus Okafor"),
    ("who can help with Okta group permissions and approving VPN access", "Tomasz Nowak"),
    (
        "who understands how expense reports and warehouse orders are synced into the ERP",
        "Rafael Costa",
    ),
    ("who knows how our dbt models and Looker dashboards are built", "Daniel Weber"),
    ("who knows about stock takes and how warehouse picking works", "Victor Petrov"),
    ("who can help with personal data requests and how long we keep records", "Fatima El-Amin"),
    ("who should I ask about hiring paperwork, people leaving and maternity pay", "Chloe Martin"),
    ("who knows about email marketing campaigns and using our logo and colours", "Mia Johansson"),
]


# Known misses of plain dense retrieval (intended page ranked 4th or lower), kept visible: strict
# xfail, so the day hybrid retrieval (issue 4) ranks them in the top 3 this file must change.
DENSE_MISSES = {
    "my work computer can't reach internal tools when I'm at home",
    "single view of each client combining CRM, ERP and marketing records",
    "who has to sign off if I give a customer 20% off",
}


def top_pages(kb, query: str, n: int = 3) -> list[str]:
    pages: list[str] = []
    for hit in kb.search(query, k=20):
        if hit.chunk.path not in pages:
            pages.append(hit.chunk.path)
    return pages[:n]


@pytest.mark.parametrize(
    ("query", "page"),
    [
        pytest.param(
            q, p, marks=pytest.mark.xfail(q in DENSE_MISSES, reason="dense-only miss", strict=True)
        )
        for q, p in SEARCHES
    ],
)
def test_intended_page_in_top_3(bundled_kb, query, page):
    assert page in top_pages(bundled_kb, query)


def test_most_searches_succeed(bundled_kb):
    found = [q for q, p in SEARCHES if p in top_pages(bundled_kb, q)]
    assert len(found) >= 17, sorted(set(q for q, _ in SEARCHES) - set(found))


@pytest.mark.parametrize(("query", "person"), EXPERTS)
def test_intended_expert_first(bundled_kb, query, person):
    experts = bundled_kb.experts(query, k=3)
    assert experts[0].name == person, [e.name for e in experts]
    assert experts[0].evidence and experts[0].team


def test_bundled_content_shape(bundled_kb):
    chunks = bundled_kb.stored.chunks
    pages = {c.path for c in chunks}
    people = {a.name for c in chunks for a in c.authors}
    teams = {c.team for c in chunks}
    assert len(pages) >= 60 and len(people) >= 15 and len(teams) >= 8
    assert bundled_kb.manifest["counts"]["warnings"] == 0


def test_filters_apply_to_results_and_experts(bundled_kb):
    hits = bundled_kb.search("approving expenses", k=5, filters=Filters(team="service-desk"))
    assert hits and all(h.chunk.team == "service-desk" for h in hits)
    hits = bundled_kb.search("approving expenses", k=5, filters=Filters(author="oliver grant"))
    assert hits and all("Oliver Grant" in {a.name for a in h.chunk.authors} for h in hits)
    people = bundled_kb.experts("approving expenses", filters=Filters(team="finance"))
    assert people[0].team == "finance"


def in_git_checkout() -> bool:
    res = subprocess.run(
        ["git", "log", "-1", "--", "."], cwd=CONTENT, capture_output=True, text=True
    )
    return res.returncode == 0 and bool(res.stdout.strip())


@pytest.mark.skipif(not in_git_checkout(), reason="content/ is not in a git checkout")
def test_pages_without_front_matter_authors_are_credited_from_git(bundled_kb):
    shares = {}
    for c in bundled_kb.stored.chunks:
        shares[c.path] = {a.name: a.share for a in c.authors}
    # Kenji made 3 of the 4 commits, one under an old email that .mailmap maps to him.
    assert shares["service-desk/leavers-account-deprovisioning.md"] == {
        "Kenji Sato": 0.75,
        "Sofia Alvarez": 0.25,
    }
    assert shares["procurement/tender-process.md"] == {"Grace O'Connor": 0.75, "Oliver Grant": 0.25}


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_exact_identifiers_are_found_by_the_keyword_leg(bundled_kb, mode):
    # A role name means nothing to the embedding model; BM25 matches it exactly.
    top = bundled_kb.search("PII_READER", k=1, mode=mode)[0].chunk
    assert "PII_READER" in bundled_kb.page(top.path).body
