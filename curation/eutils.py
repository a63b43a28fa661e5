"""NCBI E-utilities: `esearch` and `efetch` within NCBI's rate limit, retried when they fail.

At most 3 requests a second, 10 with an API key (a sliding window: never more than that many
in any second, retries included). Every request names the tool and, when configured, the
curator's email, as NCBI asks. A 429, a 5xx, a broken connection or XML that does not parse
is retried with exponential backoff (honouring Retry-After); anything else is an error.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from lxml import etree

from curation.papers import Paper, UnreadableFile
from curation.pubmed_xml import read_pubmed_xml
from search import settings

DEFAULT_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "mecfs-atlas-search"
RATE = 3  # requests per second without an API key
RATE_WITH_KEY = 10
MAX_IDS = 10_000  # esearch pages through at most this many ids of one query
BATCH = 200  # records per efetch
MAX_ANSWER = 256 * 1024 * 1024  # bytes read of one answer
RETRIES = 6
TIMEOUT = 120.0  # seconds one request may take


T = TypeVar("T")


class EutilsError(RuntimeError):
    """E-utilities refused a request or kept failing; the message says what happened."""


@dataclass(frozen=True)
class EutilsConfig:
    """Where E-utilities is and who is asking."""

    base_url: str = DEFAULT_URL
    email: str = ""
    api_key: str = ""
    tool: str = TOOL

    @classmethod
    def from_env(cls) -> EutilsConfig:
        """Return the configuration from $ATLAS_EUTILS_URL, $ATLAS_NCBI_EMAIL, $NCBI_API_KEY."""
        return cls(
            base_url=settings.eutils_url() or DEFAULT_URL,
            email=settings.ncbi_email(),
            api_key=settings.ncbi_api_key(),
        )

    @property
    def rate(self) -> int:
        """Return the requests per second NCBI allows this configuration."""
        return RATE_WITH_KEY if self.api_key else RATE


@dataclass(frozen=True)
class SearchAnswer:
    """What esearch said: how many records match, the first ids, and the history keys."""

    count: int
    ids: tuple[str, ...]
    webenv: str = ""
    query_key: str = ""


class RateLimiter:
    """Never more than `rate` calls of `wait` in any one second."""

    def __init__(
        self,
        rate: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._recent: deque[float] = deque(maxlen=rate)

    def wait(self) -> None:
        """Return when one more request keeps within the limit, sleeping if need be."""
        if len(self._recent) == self.rate:
            # A little over a second since the rate-th last request, so that clock and
            # network jitter cannot make NCBI count one request too many in a second.
            delay = self._recent[0] + 1.02 - self._clock()
            if delay > 0:
                self._sleep(delay)
        self._recent.append(self._clock())


def parse_search(data: bytes) -> SearchAnswer:
    """Return an esearch answer; raises EutilsError if it is an error, UnreadableFile if broken."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"broken esearch answer: {exc}") from exc
    if root.tag != "eSearchResult":
        raise UnreadableFile(f"an esearch answer whose root is <{root.tag!s}>")
    error = root.findtext("ERROR")
    if error:
        raise EutilsError(f"esearch: {error.strip()}")
    count = root.findtext("Count")
    if count is None or not count.strip().isdigit():
        raise UnreadableFile("an esearch answer without a count")
    return SearchAnswer(
        count=int(count),
        ids=tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text),
        webenv=(root.findtext("WebEnv") or "").strip(),
        query_key=(root.findtext("QueryKey") or "").strip(),
    )


def _fetch_error(data: bytes) -> str | None:
    """Return the message of an efetch error answer (`<eFetchResult><ERROR>`), if it is one."""
    head = data[:2048]
    if b"<eFetchResult" not in head and b"<ERROR>" not in head:
        return None
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    return (root.findtext("ERROR") or root.findtext(".//ERROR") or "error").strip()


class HistoryExpired(EutilsError):
    """The history server no longer knows the WebEnv (they last some hours)."""


class EutilsClient:
    """Calls esearch and efetch for one configuration, keeping to NCBI's rate limit."""

    def __init__(
        self,
        config: EutilsConfig,
        *,
        backoff: float = 1.0,
        retries: int = RETRIES,
        timeout: float = TIMEOUT,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.backoff = backoff
        self.retries = retries
        self.timeout = timeout
        self.limiter = limiter or RateLimiter(config.rate)
        self._sleep = sleep
        self._on_retry = on_retry
        self.requests = 0

    def _params(self, params: dict[str, str]) -> bytes:
        full = {**params, "tool": self.config.tool}
        if self.config.email:
            full["email"] = self.config.email
        if self.config.api_key:
            full["api_key"] = self.config.api_key
        return urllib.parse.urlencode(full).encode("ascii")

    def _once(self, endpoint: str, params: dict[str, str]) -> bytes:
        self.limiter.wait()
        self.requests += 1
        # POST: an id list or a long query fits, and nothing private lands in proxy logs.
        request = urllib.request.Request(
            self.config.base_url + endpoint,
            data=self._params(params),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            data: bytes = answer.read(MAX_ANSWER + 1)
        if len(data) > MAX_ANSWER:
            raise EutilsError(f"{endpoint}: answer larger than {MAX_ANSWER:,} bytes")
        return data

    def call(self, endpoint: str, params: dict[str, str], parse: Callable[[bytes], T]) -> T:
        """Return parse(answer), retrying 429, 5xx, broken connections and broken answers."""
        attempt = 0
        while True:
            wait: float | None = None
            try:
                return parse(self._once(endpoint, params))
            except urllib.error.HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise EutilsError(f"{endpoint}: HTTP {exc.code} {exc.reason}") from exc
                problem = f"HTTP {exc.code}"
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after and retry_after.strip().isdigit():
                    wait = float(retry_after)
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                problem = f"connection failed ({getattr(exc, 'reason', exc)})"
            except UnreadableFile as exc:
                problem = str(exc)
            attempt += 1
            if attempt > self.retries:
                raise EutilsError(f"{endpoint}: {problem}, {self.retries} retries failed")
            delay = max(wait or 0.0, self.backoff * 2 ** (attempt - 1))
            if self._on_retry:
                self._on_retry(f"{endpoint}: {problem}; retrying in {delay:.1f} s")
            self._sleep(delay)

    def search(
        self,
        term: str,
        mindate: str = "",
        maxdate: str = "",
        *,
        retmax: int = 0,
        history: bool = False,
    ) -> SearchAnswer:
        """Return esearch's answer for a term in an Entrez-date range (YYYY/MM/DD, inclusive)."""
        params = {"db": "pubmed", "term": term, "retmax": str(retmax)}
        if mindate or maxdate:
            params |= {
                "datetype": "edat",
                "mindate": mindate or "1800/01/01",
                "maxdate": maxdate or "3000/12/31",
            }
        if history:
            params["usehistory"] = "y"
        return self.call("esearch.fcgi", params, parse_search)

    def _parse_articles(self, data: bytes) -> list[Paper]:
        error = _fetch_error(data)
        if error is not None:
            raise HistoryExpired(f"efetch: {error}")
        return read_pubmed_xml(data, "pubmed")

    def fetch_history(self, webenv: str, query_key: str, retstart: int, retmax: int) -> list[Paper]:
        """Return up to retmax records of a search kept on the history server, from retstart."""
        params = {
            "db": "pubmed",
            "WebEnv": webenv,
            "query_key": query_key,
            "retstart": str(retstart),
            "retmax": str(retmax),
            "retmode": "xml",
        }
        return self.call("efetch.fcgi", params, self._parse_articles)

    def fetch_ids(self, pmids: list[str]) -> list[Paper]:
        """Return the records of up to BATCH PubMed ids."""
        params = {"db": "pubmed", "id": ",".join(pmids[:BATCH]), "retmode": "xml"}
        return self.call("efetch.fcgi", params, self._parse_articles)
