"""Reading PDFs back: follow a PDF link to its presigned URL, extract text and page sizes."""
from __future__ import annotations

from typing import Any

from tests.conftest import Api


class Pdf:
    """A downloaded PDF: its pages' text and sizes, page 1 rendered to an image."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2 as pdfium

        assert data.startswith(b"%PDF-"), data[:40]
        document = pdfium.PdfDocument(data)
        try:
            self.pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
            self.sizes = [tuple(round(x) for x in document[i].get_size()) for i in range(len(document))]
            image = document[0].render(scale=1).to_pil()
        finally:
            document.close()
        assert all(abs(a - b) <= 1 for a, b in zip(image.size, self.sizes[0], strict=True)), (image.size, self.sizes[0])
        assert image.convert("L").getextrema()[0] < 100  # something is drawn: not a blank page

    @property
    def text(self) -> str:
        # pypdfium2 reports line ends as \r\n; the PDF keeps "10 %" together with a no-break space.
        return "\n".join(self.pages).replace("\r\n", "\n").replace("\xa0", " ")


def fetch_bytes(url: str) -> bytes:
    import requests

    reply = requests.get(url, timeout=10)
    assert reply.status_code == 200, reply.text[:300]
    return reply.content


def follow_pdf(anonymous: Api, path: str, **headers: str) -> tuple[Any, Pdf]:
    reply = anonymous.get(path, headers=headers or None)
    assert reply.status == 302, (reply.status, reply.body[:300])
    assert reply.headers["Cache-Control"] == "no-store"
    assert "noindex" in reply.headers["X-Robots-Tag"]
    return reply, Pdf(fetch_bytes(reply.headers["Location"]))
