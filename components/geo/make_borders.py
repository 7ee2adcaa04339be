"""Make ``borders.geojson``: the country borders the Map page draws, offline.

Source: Natural Earth 1:50m admin-0 countries (public domain), as TopoJSON in
the npm package ``world-atlas`` (ISC licence). The script

1. gets ``countries-50m.json`` from ``world-atlas@2.0.2`` (``npm pack`` in a
   temporary folder), or reads the file or ``.tgz`` given with ``--source``;
2. decodes the TopoJSON itself (quantised, delta-encoded arcs; no extra
   package needed);
3. simplifies each shared arc once (Douglas-Peucker, so neighbouring
   countries keep exactly the same border), assembles the polygons, clips
   them to the region around Central Asia and the Middle East, and rounds
   coordinates to 3 decimals (about 100 m, far below what is drawn);
4. writes a GeoJSON FeatureCollection, one feature per line, with each
   country's ISO 3166-1 alpha-3 code, name, bounding box and a label point.

Re-run it to rebuild the file; the output is deterministic::

    python components/geo/make_borders.py                 # npm pack world-atlas
    python components/geo/make_borders.py --source countries-50m.json
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/countries-50m.json"
OUT = Path(__file__).with_name("borders.geojson")

# Region kept: west, south, east, north (degrees). Wide enough that the view
# of all programme countries (Iraq to eastern Kazakhstan) shows no edge.
REGION = (20.0, 10.0, 105.0, 62.0)
TOLERANCE = 0.01  # degrees, Douglas-Peucker on the arcs (~1 km; a pixel is ~4 km at the widest view)
DECIMALS = 3

# ISO 3166-1 numeric -> alpha-3 for the countries in the region. Natural Earth
# features without an ISO code (Kosovo, N. Cyprus, Somaliland, Siachen) keep
# their name and get no code.
ISO_A3 = {
    "004": "AFG",
    "008": "ALB",
    "031": "AZE",
    "048": "BHR",
    "050": "BGD",
    "051": "ARM",
    "064": "BTN",
    "100": "BGR",
    "104": "MMR",
    "112": "BLR",
    "116": "KHM",
    "140": "CAF",
    "144": "LKA",
    "148": "TCD",
    "156": "CHN",
    "196": "CYP",
    "231": "ETH",
    "232": "ERI",
    "233": "EST",
    "246": "FIN",
    "262": "DJI",
    "268": "GEO",
    "275": "PSE",
    "300": "GRC",
    "348": "HUN",
    "356": "IND",
    "364": "IRN",
    "368": "IRQ",
    "376": "ISR",
    "398": "KAZ",
    "400": "JOR",
    "414": "KWT",
    "417": "KGZ",
    "418": "LAO",
    "422": "LBN",
    "428": "LVA",
    "434": "LBY",
    "440": "LTU",
    "496": "MNG",
    "498": "MDA",
    "499": "MNE",
    "512": "OMN",
    "524": "NPL",
    "586": "PAK",
    "616": "POL",
    "634": "QAT",
    "642": "ROU",
    "643": "RUS",
    "682": "SAU",
    "688": "SRB",
    "703": "SVK",
    "704": "VNM",
    "706": "SOM",
    "728": "SSD",
    "729": "SDN",
    "760": "SYR",
    "762": "TJK",
    "764": "THA",
    "784": "ARE",
    "792": "TUR",
    "795": "TKM",
    "804": "UKR",
    "807": "MKD",
    "818": "EGY",
    "860": "UZB",
    "887": "YEM",
}


# --------------------------------------------------------------------------- getting the source


def fetch_source() -> bytes:
    """countries-50m.json from the npm package, via ``npm pack``."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        tgz = next(Path(tmp).glob("world-atlas-*.tgz"))
        return read_tgz(tgz.read_bytes())


def read_tgz(data: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} not found in the package")
        return member.read()


def read_source(path: Path | None) -> bytes:
    if path is None:
        return fetch_source()
    data = path.read_bytes()
    return read_tgz(data) if path.name.endswith((".tgz", ".tar.gz")) else data


# --------------------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc (quantised and delta-encoded in the file)."""
    t = topology.get("transform")
    (sx, sy), (tx, ty) = (t["scale"], t["translate"]) if t else ((1, 1), (0, 0))
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            if t:
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, keeping both ends (iterative: arcs can be long)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            d = (abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm) if norm else math.hypot(px - x1, py - y1)
            if d > best:
                best, index = d, i
        if index > 0 and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=False) if k]


def ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A closed ring from its arcs (``~i``: arc i reversed); arcs share their end points."""
    out: list[tuple[float, float]] = []
    for i in arc_ids:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def polygons(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [[ring(r, arcs) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring(r, arcs) for r in p] for p in geometry["arcs"]]
    return []


# --------------------------------------------------------------------------- geometry


def clip(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clipping of a closed ring to a rectangle."""
    west, south, east, north = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    out = points[:-1] if points and points[0] == points[-1] else list(points)
    for inside, cross in edges:
        src, out = out, []
        if not src:
            break
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
    return out + out[:1] if out else []


def _at_x(a, b, x):
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a, b, y):
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


def rounded(points, decimals: int = DECIMALS) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, decimals), round(y, decimals)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def area_and_centroid(points) -> tuple[float, tuple[float, float]]:
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if a == 0:
        return 0.0, points[0]
    return abs(a) / 2, (cx / (3 * a), cy / (3 * a))


# --------------------------------------------------------------------------- building the collection


def build(topology: dict, region=REGION, tolerance: float = TOLERANCE) -> list[dict]:
    arcs = [simplify(a, tolerance) for a in decode_arcs(topology)]
    features: list[dict[str, Any]] = []
    for g in topology["objects"]["countries"]["geometries"]:
        polys = []
        for poly in polygons(g, arcs):
            rings = [rounded(clip(r, region)) for r in poly]
            if len(rings[0]) < 4:
                continue  # the outer ring is outside the region
            polys.append([r for r in rings if len(r) >= 4])
        if not polys:
            continue
        xs = [p[0] for poly in polys for p in poly[0]]
        ys = [p[1] for poly in polys for p in poly[0]]
        _, label = max((area_and_centroid(poly[0]) for poly in polys), key=lambda ac: ac[0])
        code = ISO_A3.get(g.get("id") or "")
        geometry = (
            {"type": "Polygon", "coordinates": polys[0]}
            if len(polys) == 1
            else {"type": "MultiPolygon", "coordinates": polys}
        )
        features.append(
            {
                "type": "Feature",
                "bbox": [min(xs), min(ys), max(xs), max(ys)],
                "properties": {
                    "iso_a3": code,
                    "name": g["properties"]["name"],
                    "label": [round(label[0], 2), round(label[1], 2)],
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: (f["properties"]["iso_a3"] or "~", f["properties"]["name"]))
    return features


def write(features: list[dict], source_sha256: str, path: Path = OUT) -> None:
    head = {
        "type": "FeatureCollection",
        "source": {
            "data": "Natural Earth 1:50m admin-0 countries v4.1.0 (public domain)",
            "package": f"{PACKAGE} ({MEMBER}, ISC licence)",
            "sha256": source_sha256,
            "region": list(REGION),
            "simplified_degrees": TOLERANCE,
            "decimals": DECIMALS,
            "script": "components/geo/make_borders.py",
        },
    }
    lines = [json.dumps(head, separators=(",", ":"))[:-1] + ',"features":[']
    lines += [
        json.dumps(f, separators=(",", ":"), ensure_ascii=False) + ("," if i < len(features) - 1 else "")
        for i, f in enumerate(features)
    ]
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="countries-50m.json or the world-atlas .tgz (default: npm pack)")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    raw = read_source(args.source)
    features = build(json.loads(raw))
    write(features, hashlib.sha256(raw).hexdigest(), args.output)
    size = args.output.stat().st_size
    print(f"{args.output}: {len(features)} countries, {size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
