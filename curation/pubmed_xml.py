"""PubMed XML (`PubmedArticleSet`, as `efetch` and PubMed's "Save as XML" write it) -> papers.

Parsed with lxml with entity expansion, DTD loading and network access off: a file can name
PubMed's DTD or declare entities, and neither is fetched or expanded.
"""

from __future__ import annotations

from lxml import etree

from curation.papers import (
    Paper,
    UnreadableFile,
    bounded,
    clean_doi,
    clean_pmcid,
    clean_pmid,
    clean_text,
    clean_title,
    person,
    year_of,
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _text(element: etree._Element | None) -> str:
    # itertext drops inline markup (<i>, <sup>, MathML) and keeps the words inside it.
    return clean_text("".join(element.itertext())) if element is not None else ""


def _authors(article: etree._Element) -> tuple[str, ...]:
    out = []
    for author in article.iterfind("AuthorList/Author"):
        if author.get("ValidYN") == "N":
            continue
        group = author.find("CollectiveName")
        if group is not None:
            out.append(_text(group))
            continue
        family = author.findtext("LastName") or ""
        if family:
            out.append(
                person(family, author.findtext("ForeName") or "", author.findtext("Initials") or "")
            )
    return bounded(out)


def _abstract(article: etree._Element) -> str:
    sections = []
    for part in article.iterfind("Abstract/AbstractText"):
        text = _text(part)
        label = (part.get("Label") or "").strip()
        if text:
            sections.append(f"{label}: {text}" if label else text)
    return "\n".join(sections)


def _year(article: etree._Element) -> int | None:
    date = article.find("Journal/JournalIssue/PubDate")
    if date is not None:
        year = year_of(date.findtext("Year")) or year_of(date.findtext("MedlineDate"))
        if year:
            return year
    return year_of(article.findtext("ArticleDate/Year"))


def _doi(article: etree._Element, data: etree._Element | None) -> str:
    # An ELocationID list may hold a pii before (or after) the DOI; only the doi one counts.
    for loc in article.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and loc.get("ValidYN") != "N":
            doi = clean_doi(_text(loc))
            if doi:
                return doi
    if data is not None:
        for aid in data.iterfind("ArticleIdList/ArticleId"):
            if aid.get("IdType") == "doi":
                doi = clean_doi(_text(aid))
                if doi:
                    return doi
    return ""


def _mesh(citation: etree._Element) -> tuple[str, ...]:
    out = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        name = _text(heading.find("DescriptorName"))
        qualifiers = [_text(q) for q in heading.iterfind("QualifierName")]
        out.append("/".join([name, *[q for q in qualifiers if q]]) if name else "")
    return bounded(out)


def paper_from_article(element: etree._Element, source: str) -> Paper | None:
    """Return the paper a `PubmedArticle` element describes, or None when it has no article."""
    citation = element.find("MedlineCitation")
    if citation is None:
        return None
    article = citation.find("Article")
    if article is None:
        return None
    data = element.find("PubmedData")
    pmcid = ""
    if data is not None:
        for aid in data.iterfind("ArticleIdList/ArticleId"):
            if aid.get("IdType") == "pmc":
                pmcid = clean_pmcid(_text(aid))
    title = clean_title(_text(article.find("ArticleTitle"))) or clean_title(
        _text(article.find("VernacularTitle"))
    )
    return Paper(
        title=title,
        authors=_authors(article),
        year=_year(article),
        journal=_text(article.find("Journal/Title"))
        or _text(citation.find("MedlineJournalInfo/MedlineTA")),
        doi=_doi(article, data),
        pmid=clean_pmid(citation.findtext("PMID")),
        pmcid=pmcid,
        abstract=_abstract(article),
        mesh=_mesh(citation),
        publication_types=bounded(
            [_text(t) for t in article.iterfind("PublicationTypeList/PublicationType")]
        ),
        keywords=bounded([_text(k) for k in citation.iterfind("KeywordList/Keyword")]),
        source=source,
    )


def paper_from_book(element: etree._Element, source: str) -> Paper | None:
    """Return the paper a `PubmedBookArticle` (a chapter or report on the NCBI Bookshelf)
    describes, or None when it has no document."""
    document = element.find("BookDocument")
    if document is None:
        return None
    book = document.find("Book")
    title = clean_title(_text(document.find("ArticleTitle"))) or clean_title(
        _text(book.find("BookTitle") if book is not None else None)
    )
    date = book.find("PubDate") if book is not None else None
    year = None
    if date is not None:
        year = year_of(date.findtext("Year")) or year_of(date.findtext("MedlineDate"))
    return Paper(
        title=title,
        authors=_authors(document),
        year=year,
        journal=_text(book.find("Publisher/PublisherName")) if book is not None else "",
        pmid=clean_pmid(document.findtext("PMID")),
        abstract=_abstract(document),
        publication_types=bounded([_text(t) for t in document.iterfind("PublicationType")]),
        keywords=bounded([_text(k) for k in document.iterfind("KeywordList/Keyword")]),
        source=source,
    )


def is_pubmed_xml(head: str) -> bool:
    """Return whether the start of a file looks like a PubMed article set."""
    return "<PubmedArticleSet" in head or "<PubmedArticle>" in head or "<PubmedArticle " in head


def read_pubmed_xml(data: bytes, source: str) -> list[Paper]:
    """Return the papers of a PubMed XML document; raises UnreadableFile when it is broken."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"broken XML: {exc}") from exc
    if root.tag not in ("PubmedArticleSet", "PubmedArticle"):
        raise UnreadableFile(f"XML whose root is <{root.tag!s}>, not <PubmedArticleSet>")
    articles = [root] if root.tag == "PubmedArticle" else list(root)
    papers = []
    number = 0
    for element in articles:
        if element.tag not in ("PubmedArticle", "PubmedBookArticle"):
            continue  # DeleteCitation lists and the like
        number += 1
        read = paper_from_article if element.tag == "PubmedArticle" else paper_from_book
        paper = read(element, f"{source} #{number}")
        if paper is not None:
            papers.append(paper)
    return papers
