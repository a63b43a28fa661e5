"""A fake NCBI E-utilities on 127.0.0.1 for the importer's tests: esearch and efetch over a
small corpus, the history server, and faults on demand (429, 500, truncated XML, slowness).

Articles are real PubMed XML: generated ones in PubMed's own structure, or `PubmedArticle`
elements recorded from NCBI (the shared samples).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from lxml import etree

HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'
ESEARCH_DOCTYPE = (
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


@dataclass(frozen=True)
class FakeRecord:
    """One PubMed record: its id, Entrez date and article XML."""

    pmid: str
    edat: dt.date
    xml: str


def article_xml(pmid: str, year: int, title: str, abstract: str, author: str = "Doe") -> str:
    """Return a PubmedArticle element in PubMed's structure."""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
        f'</PMID><Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet">'
        f"<PubDate><Year>{year}</Year></PubDate></JournalIssue><Title>Journal of Fatigue"
        f"</Title></Journal><ArticleTitle>{escape(title)}</ArticleTitle>"
        f'<ELocationID EIdType="doi" ValidYN="Y">10.5555/fake.{pmid}</ELocationID>'
        f"<Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
        f'<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>{escape(author)}</LastName>'
        f"<ForeName>Jane</ForeName><Initials>J</Initials></Author></AuthorList>"
        f'<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>'
        f"</PublicationTypeList></Article></MedlineCitation><PubmedData><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>'
        f"</PubmedArticle>"
    )


def generated_corpus(count: int, first_day: dt.date, per_day: int = 7) -> list[FakeRecord]:
    """Return count made-up ME/CFS records, per_day of them added each day from first_day."""
    out = []
    for n in range(count):
        pmid = str(30_000_000 + n)
        day = first_day + dt.timedelta(days=n // per_day)
        title = f"Cytokine study number {n} in myalgic encephalomyelitis"
        abstract = (
            f"We enrolled {20 + n % 30} patients meeting the Canadian Consensus Criteria and "
            f"{15 + n % 20} healthy controls. IL-6 and TNF-alpha were measured."
        )
        out.append(
            FakeRecord(pmid, day, article_xml(pmid, day.year, title, abstract, f"Author{n}"))
        )
    return out


def recorded_articles(path: str, edat: dt.date) -> list[FakeRecord]:
    """Return the PubmedArticle elements of a recorded efetch answer, each added on edat."""
    root = etree.parse(path, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    return [
        FakeRecord(a.findtext("MedlineCitation/PMID"), edat, etree.tostring(a, encoding="unicode"))
        for a in root.iterfind("PubmedArticle")
    ]


@dataclass
class Hit:
    """One request the fake server answered."""

    at: float
    endpoint: str
    params: dict[str, str]
    status: int


@dataclass
class FakeEutils:
    """The fake service's state: corpus, history, faults to inject and the requests seen."""

    records: list[FakeRecord] = field(default_factory=list)
    faults: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, kind), in order
    efetch_delay: float = 0.0
    log: list[Hit] = field(default_factory=list)
    history: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def expire_history(self) -> None:
        """Forget every WebEnv, as NCBI does after some hours."""
        with self.lock:
            self.history.clear()

    def matching(self, params: dict[str, str]) -> list[FakeRecord]:
        if params.get("term", "").strip().lower() == "nothing":
            return []
        found = self.records
        if params.get("datetype") == "edat":
            low = dt.date(*map(int, params.get("mindate", "1800/01/01").split("/")))
            high = dt.date(*map(int, params.get("maxdate", "3000/12/31").split("/")))
            found = [r for r in found if low <= r.edat <= high]
        return sorted(found, key=lambda r: (r.edat, r.pmid), reverse=True)  # most recent first

    def esearch(self, params: dict[str, str]) -> bytes:
        found = self.matching(params)
        if params.get("term", "").strip().lower() == "nothing":
            return (
                HEAD + ESEARCH_DOCTYPE + "<eSearchResult><Count>0</Count><RetMax>0</RetMax>"
                "<RetStart>0</RetStart><IdList/><TranslationSet/><QueryTranslation>"
                "(nothing[All Fields])</QueryTranslation><ErrorList><PhraseNotFound>"
                "nothing</PhraseNotFound></ErrorList><WarningList><OutputMessage>No items "
                "found.</OutputMessage></WarningList></eSearchResult>"
            ).encode()
        retstart, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        ids = [r.pmid for r in found]
        page = ids[retstart : retstart + min(retmax, 10_000)]
        history = ""
        if params.get("usehistory") == "y":
            with self.lock:
                webenv = f"MCID_fake{len(self.history) + 1}"
                self.history[webenv] = ids
            history = f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
        id_list = "".join(f"<Id>{i}</Id>\n" for i in page)
        return (
            HEAD + ESEARCH_DOCTYPE + f"<eSearchResult><Count>{len(ids)}</Count><RetMax>"
            f"{len(page)}</RetMax><RetStart>{retstart}</RetStart>{history}<IdList>\n{id_list}"
            "</IdList><TranslationSet/></eSearchResult>"
        ).encode()

    def efetch(self, params: dict[str, str]) -> bytes:
        by_id = {r.pmid: r for r in self.records}
        if "id" in params:
            ids = [i for i in params["id"].split(",") if i]
        else:
            with self.lock:
                stored = self.history.get(params.get("WebEnv", ""))
            if stored is None or params.get("query_key") != "1":
                key = params.get("query_key")
                return (
                    HEAD + "<eFetchResult>\n\t<ERROR>Unable to obtain query #"
                    f"{key}</ERROR>\n</eFetchResult>\n"
                ).encode()
            start, count = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            ids = stored[start : start + count]
        body = "\n".join(by_id[i].xml for i in ids if i in by_id)
        return (
            HEAD + EFETCH_DOCTYPE + f"<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n"
        ).encode()

    def fault(self, endpoint: str) -> str | None:
        with self.lock:
            for n, (where, kind) in enumerate(self.faults):
                if where == endpoint:
                    del self.faults[n]
                    return kind
        return None


def _handler(state: FakeEutils) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _serve(self, params: dict[str, str]) -> None:
            arrived = time.monotonic()
            endpoint = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
            kind = state.fault(endpoint)
            status = {"429": 429, "500": 500, "503": 503}.get(kind or "", 200)
            state.log.append(Hit(arrived, endpoint, params, status))
            if status == 429:
                self._answer(429, b'{"error":"API rate limit exceeded"}', {"Retry-After": "0"})
                return
            if status >= 500:
                self._answer(status, b"<html><body>Internal error</body></html>")
                return
            if endpoint == "esearch.fcgi":
                body = state.esearch(params)
            elif endpoint == "efetch.fcgi":
                if state.efetch_delay:
                    time.sleep(state.efetch_delay)
                body = state.efetch(params)
            else:
                self._answer(404, b"unknown endpoint")
                return
            if kind == "truncated":
                body = body[: len(body) // 2]
            self._answer(200, body)

        def do_GET(self) -> None:
            query = urllib.parse.urlsplit(self.path).query
            self._serve(dict(urllib.parse.parse_qsl(query)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = self.rfile.read(length).decode("ascii")
            self._serve(dict(urllib.parse.parse_qsl(form)))

    return Handler


class FakeServer:
    """Runs a FakeEutils on a free port of 127.0.0.1 until closed."""

    def __init__(self, state: FakeEutils) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        state.url = f"http://{host}:{port}/entrez/eutils/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeEutils:
        self.thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
