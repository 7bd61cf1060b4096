#!/usr/bin/env python3
"""Derive the CSTO map (June 2009) from Natural Earth data in the npm package ``world-atlas``.

Output: ``templates/explainer/csto_map.svg.html``, an inline ``<svg>`` fragment that the explainer
templates ``{% include %}``. It carries no inline style, no <style>, no script and no event
attribute (the site's Content-Security-Policy forbids them); every colour is in
``static/css/map.css``, keyed on the classes this script writes.

Usage (Python 3.8+, standard library only; run from anywhere):

    # normal case: rebuild the SVG from the vendored subset beside this script
    python3 tools/map/build_map.py

    # refresh the vendored subset from the npm package, then rebuild
    #   (cd /tmp/x && npm install world-atlas@2.0.2)
    python3 tools/map/build_map.py \
        --source /tmp/x/node_modules/world-atlas/countries-50m.json --write-subset

What it does, step by step:

1. Reads a TopoJSON topology (``countries-50m.json`` of world-atlas 2.0.2 = Natural Earth 4.1.0
   Admin 0 countries, 1:50m, quantized lon/lat) and decodes its delta-encoded arcs.
2. ``--write-subset`` keeps only the countries listed in ``COUNTRIES`` below, only those of their
   polygons that reach into the map window, and only the arcs those polygons use, and writes that
   (still valid) topology to ``countries-50m.subset.json`` beside this script.
3. Crimea: Natural Earth 4.1.0 draws Crimea inside Russia (its "de facto" view since 2014). This map
   shows June 2009, when Crimea was part of Ukraine, so the Crimean polygon is moved from Russia to
   Ukraine and merged with mainland Ukraine (the shared arcs across the Perekop isthmus are dropped).
   Georgia keeps Abkhazia and South Ossetia (Natural Earth draws them inside Georgia).
4. Projects with a Lambert conformal conic projection (standard parallels 40°N and 56°N, central
   meridian 55°E), simplifies each arc (Douglas-Peucker, 0.25 px, shared borders stay shared),
   clips each polygon to the crop window (about 20°E-90°E, 35°N-60°N) and rounds to 0.1 px.
5. Writes country paths (``id="map-XXX"``, ISO 3166-1 alpha-3; classes ``country member`` /
   ``suspended`` / ``frozen`` / ``nonmember`` / ``context``), capitals, labels with leader lines,
   hatch/dot patterns and a legend.

The output is deterministic: re-running on the same input gives the same bytes.
"""

import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.normpath(os.path.join(HERE, "..", ".."))
SUBSET = os.path.join(HERE, "countries-50m.subset.json")
OUT = os.path.join(PROJECT, "templates", "explainer", "csto_map.svg.html")

# ISO 3166-1 numeric (as used by world-atlas) -> (alpha-3, English name, role).
# Roles: member = CSTO member in June 2009; nonmember = shown and labelled as never a member;
# context = grey background country.
COUNTRIES = {
    "643": ("RUS", "Russia", "member"),
    "112": ("BLR", "Belarus", "member"),
    "051": ("ARM", "Armenia", "member"),
    "398": ("KAZ", "Kazakhstan", "member"),
    "860": ("UZB", "Uzbekistan", "member"),
    "762": ("TJK", "Tajikistan", "member"),
    "417": ("KGZ", "Kyrgyzstan", "member"),
    "795": ("TKM", "Turkmenistan", "nonmember"),
    "804": ("UKR", "Ukraine", "context"),
    "268": ("GEO", "Georgia", "context"),
    "031": ("AZE", "Azerbaijan", "context"),
    "498": ("MDA", "Moldova", "context"),
    "440": ("LTU", "Lithuania", "context"),
    "428": ("LVA", "Latvia", "context"),
    "233": ("EST", "Estonia", "context"),
    "246": ("FIN", "Finland", "context"),
    "752": ("SWE", "Sweden", "context"),
    "616": ("POL", "Poland", "context"),
    "703": ("SVK", "Slovakia", "context"),
    "348": ("HUN", "Hungary", "context"),
    "642": ("ROU", "Romania", "context"),
    "100": ("BGR", "Bulgaria", "context"),
    "688": ("SRB", "Serbia", "context"),
    "807": ("MKD", "North Macedonia", "context"),
    "300": ("GRC", "Greece", "context"),
    "792": ("TUR", "Turkey", "context"),
    "196": ("CYP", "Cyprus", "context"),
    "760": ("SYR", "Syria", "context"),
    "368": ("IRQ", "Iraq", "context"),
    "364": ("IRN", "Iran", "context"),
    "004": ("AFG", "Afghanistan", "context"),
    "586": ("PAK", "Pakistan", "context"),
    "356": ("IND", "India", "context"),
    "156": ("CHN", "China", "context"),
    "496": ("MNG", "Mongolia", "context"),
    "422": ("LBN", "Lebanon", "context"),
    "376": ("ISR", "Israel", "context"),
    "275": ("PSE", "Palestine", "context"),
    "400": ("JOR", "Jordan", "context"),
    "682": ("SAU", "Saudi Arabia", "context"),
    "414": ("KWT", "Kuwait", "context"),
    "818": ("EGY", "Egypt", "context"),
    "524": ("NPL", "Nepal", "context"),
    "578": ("NOR", "Norway", "context"),
    "248": ("ALA", "Aland Islands", "context"),
    "208": ("DNK", "Denmark", "context"),
    "276": ("DEU", "Germany", "context"),
    "203": ("CZE", "Czechia", "context"),
    "040": ("AUT", "Austria", "context"),
    "705": ("SVN", "Slovenia", "context"),
    "191": ("HRV", "Croatia", "context"),
    "070": ("BIH", "Bosnia and Herzegovina", "context"),
    "499": ("MNE", "Montenegro", "context"),
    "008": ("ALB", "Albania", "context"),
}

# Natural Earth units without an ISO code that lie in the window: drawn as grey context with no id
# (there is no ISO 3166-1 alpha-3 code to use), so that they do not show up as holes.
NO_CODE = {
    "Siachen Glacier": "Siachen Glacier (disputed)",
    "Kosovo": "Kosovo",
    "N. Cyprus": "Northern Cyprus",
}

# Later status (the classes that the CSS turns into hatching and dots).
STATUS = {"UZB": "suspended", "ARM": "frozen"}

# Drawing order: context first, then members, then Turkmenistan (its dashed outline on top).
ORDER = {"context": 0, "member": 1, "nonmember": 2}

# Map window used to pick polygons for the subset (lon/lat degrees, generous).
SUBSET_WINDOW = (10.0, 28.0, 100.0, 72.0)

# --- projection: Lambert conformal conic --------------------------------------------------------
PHI1, PHI2, PHI0, LAM0 = 40.0, 56.0, 47.0, 55.0
_r = math.radians
_N = math.log(math.cos(_r(PHI1)) / math.cos(_r(PHI2))) / math.log(
    math.tan(math.pi / 4 + _r(PHI2) / 2) / math.tan(math.pi / 4 + _r(PHI1) / 2))
_F = math.cos(_r(PHI1)) * math.tan(math.pi / 4 + _r(PHI1) / 2) ** _N / _N
_RHO0 = _F / math.tan(math.pi / 4 + _r(PHI0) / 2) ** _N

WIDTH = 1000.0          # viewBox width of the map area
MAP_LEFT_LON = 20.0     # crop: left edge passes through (20°E, 47°N)
MAP_RIGHT_LON = 90.0    # crop: right edge passes through (90°E, 47°N)
MAP_TOP = (55.0, 62.0)  # crop: top edge passes through this (lon, lat)
MAP_BOTTOM = (55.0, 34.0)  # crop: bottom edge passes through this (lon, lat)
LEGEND_HEIGHT = 70.0    # the legend is a band under the map


def _lcc(lon, lat):
    dl = lon - LAM0
    dl = (dl + 180.0) % 360.0 - 180.0
    lat = max(min(lat, 89.9), -89.9)
    rho = _F / math.tan(math.pi / 4 + _r(lat) / 2) ** _N
    theta = _N * _r(dl)
    return rho * math.sin(theta), _RHO0 - rho * math.cos(theta)


_X0 = _lcc(MAP_LEFT_LON, PHI0)[0]
_X1 = _lcc(MAP_RIGHT_LON, PHI0)[0]
SCALE = WIDTH / (_X1 - _X0)
_YTOP = _lcc(*MAP_TOP)[1]
HEIGHT = round((_YTOP - _lcc(*MAP_BOTTOM)[1]) * SCALE, 1)


def project(lon, lat):
    """lon/lat degrees -> SVG user units (y down)."""
    x, y = _lcc(lon, lat)
    return (x - _X0) * SCALE, (_YTOP - y) * SCALE


# --- TopoJSON ---------------------------------------------------------------------------------
def decode_arcs(topo):
    """Absolute lon/lat points for every arc (handles quantized and non-quantized topologies)."""
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [tuple(p[:2]) for p in arc]
        out.append(pts)
    return out


def polygons_of(geom):
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["arcs"])
    return []


def ring_points(ring, arcs):
    pts = []
    for i in ring:
        seg = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(seg if not pts else seg[1:])
    return pts


def bbox(pts):
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def write_subset(topo, path):
    """Keep the listed countries, their polygons inside SUBSET_WINDOW, and the arcs they use."""
    arcs = decode_arcs(topo)
    w0, s0, e0, n0 = SUBSET_WINDOW
    geoms, used = [], {}
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("id") not in COUNTRIES and g["properties"]["name"] not in NO_CODE:
            continue
        keep = []
        for poly in polygons_of(g):
            x0, y0, x1, y1 = bbox(ring_points(poly[0], arcs))
            if x1 >= w0 and x0 <= e0 and y1 >= s0 and y0 <= n0:
                keep.append(poly)
        if keep:
            geoms.append((g, keep))
            for poly in keep:
                for ring in poly:
                    for i in ring:
                        used.setdefault(i if i >= 0 else ~i, None)
    old = sorted(used)
    remap = {o: n for n, o in enumerate(old)}

    def re(i):
        return remap[i] if i >= 0 else ~remap[~i]

    out_geoms = []
    for g, keep in geoms:
        polys = [[[re(i) for i in ring] for ring in poly] for poly in keep]
        geom = {"type": "MultiPolygon", "properties": {"name": g["properties"]["name"]},
                "arcs": polys}
        if g.get("id"):
            geom["id"] = g["id"]
        out_geoms.append(geom)
    sub = {
        "type": "Topology",
        "bbox": list(SUBSET_WINDOW),
        "transform": topo["transform"],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": out_geoms}},
        "arcs": [topo["arcs"][o] for o in old],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(sub, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d countries, %d arcs, %d bytes)"
          % (path, len(out_geoms), len(old), os.path.getsize(path)))


def merge_polygons(polys):
    """Merge polygons (lists of rings of arc indices) that share arcs, like topojson.merge.

    Arcs used once in each direction (i and ~i) are interior and dropped; the remaining directed
    arcs are stitched end to start into rings. Used only for Crimea + mainland Ukraine.
    """
    count = {}
    for poly in polys:
        for ring in poly:
            for i in ring:
                k = i if i >= 0 else ~i
                count[k] = count.get(k, 0) + 1
    edges = [i for poly in polys for ring in poly for i in ring
             if count[i if i >= 0 else ~i] == 1]
    return edges


def stitch(edges, arcs):
    def ends(i):
        seg = arcs[i] if i >= 0 else arcs[~i][::-1]
        return seg[0], seg[-1]

    rings = []
    left = list(edges)
    while left:
        ring = [left.pop(0)]
        start = ends(ring[0])[0]
        while ends(ring[-1])[1] != start:
            tail = ends(ring[-1])[1]
            nxt = next(k for k, e in enumerate(left) if ends(e)[0] == tail)
            ring.append(left.pop(nxt))
        rings.append(ring)
    return rings


# --- geometry helpers ---------------------------------------------------------------------------
def simplify(pts, tol):
    """Douglas-Peucker (iterative), keeps both ends."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    tol2 = tol * tol
    while stack:
        a, b = stack.pop()
        ax, ay = pts[a]
        bx, by = pts[b]
        dx, dy = bx - ax, by - ay
        d2 = dx * dx + dy * dy
        best, bi = -1.0, -1
        for k in range(a + 1, b):
            px, py = pts[k]
            if d2 == 0:
                dist = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / d2))
                dist = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if dist > best:
                best, bi = dist, k
        if best > tol2:
            keep[bi] = True
            stack.append((a, bi))
            stack.append((bi, b))
    return [p for p, k in zip(pts, keep) if k]


def clip(poly, x0, y0, x1, y1):
    """Sutherland-Hodgman against an axis-aligned rectangle."""
    def edge(pts, inside, inter):
        out = []
        if not pts:
            return out
        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(inter(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(inter(prev, cur))
            prev = cur
        return out

    def ix(x):
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))

    def iy(y):
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)

    pts = edge(poly, lambda p: p[0] >= x0, ix(x0))
    pts = edge(pts, lambda p: p[0] <= x1, ix(x1))
    pts = edge(pts, lambda p: p[1] >= y0, iy(y0))
    pts = edge(pts, lambda p: p[1] <= y1, iy(y1))
    return pts


def area(pts):
    return 0.5 * sum(pts[k - 1][0] * pts[k][1] - pts[k][0] * pts[k - 1][1]
                     for k in range(len(pts)))


def fmt(v):
    s = "%.1f" % v
    if s.endswith(".0"):
        s = s[:-2]
    if s == "-0":
        s = "0"
    return s


def path_d(rings):
    """Absolute first point, then relative moves in tenths (exact: rounded before differencing)."""
    parts = []
    for ring in rings:
        q = [(round(x * 10), round(y * 10)) for x, y in ring]
        dedup = [q[0]]
        for p in q[1:]:
            if p != dedup[-1]:
                dedup.append(p)
        if len(dedup) > 1 and dedup[-1] == dedup[0]:
            dedup.pop()
        if len(dedup) < 3:
            continue
        s = "M%s %s" % (fmt(dedup[0][0] / 10), fmt(dedup[0][1] / 10))
        rel = []
        for (ax, ay), (bx, by) in zip(dedup, dedup[1:]):
            rel.append(_num((bx - ax) / 10) + _num((by - ay) / 10))
        s += "l" + "".join(rel).lstrip(" ") + "z"
        parts.append(s)
    return "".join(parts)


def _num(v):
    s = fmt(v)
    if s.startswith("0."):
        s = s[1:]
    elif s.startswith("-0."):
        s = "-" + s[2:]
    # a separator is needed unless the number starts with '-'
    return s if s.startswith("-") else " " + s


# --- labels -----------------------------------------------------------------------------------
# Capitals in June 2009 (lon, lat). Label: (anchor lon, anchor lat) where the text block is put,
# text-anchor, and whether a leader line joins the dot to the label.
CAPITALS = [
    # iso, country, capital, lon, lat, label lon, label lat, anchor, leader
    ("RUS", "Russia", "Moscow", 37.62, 55.76, 39.0, 56.35, "start", False),
    ("BLR", "Belarus", "Minsk", 27.56, 53.90, 27.3, 53.05, "middle", False),
    ("ARM", "Armenia", "Yerevan", 44.50, 40.18, 40.9, 37.9, "middle", True),
    ("KAZ", "Kazakhstan", "Astana", 71.45, 51.17, 72.9, 51.75, "start", False),
    ("UZB", "Uzbekistan", "Tashkent", 69.24, 41.30, 63.8, 43.30, "middle", True),
    ("TJK", "Tajikistan", "Dushanbe", 68.79, 38.56, 71.0, 35.7, "middle", True),
    ("KGZ", "Kyrgyzstan", "Bishkek", 74.57, 42.87, 81.4, 40.6, "middle", True),
]

# Grey context labels and sea names: text, lon, lat, class.
CONTEXT_LABELS = [
    ("Ukraine", 31.6, 49.1, "context-label"),
    ("Poland", 21.6, 51.6, "context-label"),
    ("Georgia", 43.6, 42.35, "context-label small"),
    ("Azerbaijan", 47.8, 40.7, "context-label small"),
    ("Iran", 53.4, 35.2, "context-label"),
    ("Afghanistan", 63.6, 34.7, "context-label"),
    ("China", 83.0, 37.2, "context-label"),
    ("Baltic states", 24.8, 57.6, "context-label small"),
    ("Turkey", 34.0, 39.4, "context-label"),
    ("Black Sea", 34.3, 43.4, "sea-label"),
    ("Caspian", 50.6, 42.5, "sea-label"),
    ("Sea", 50.6, 41.9, "sea-label"),
]

# Turkmenistan: text, lon, lat (two lines).
NONMEMBER_LABEL = ("Turkmenistan", "never a member", 58.6, 39.9)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(topo):
    arcs_ll = decode_arcs(topo)
    geoms = topo["objects"]["countries"]["geometries"]
    by_iso = {COUNTRIES[g["id"]][0]: polygons_of(g) for g in geoms if g.get("id") in COUNTRIES}
    no_code = [(NO_CODE[g["properties"]["name"]], polygons_of(g)) for g in geoms
               if not g.get("id") and g["properties"]["name"] in NO_CODE]

    # Crimea (June 2009 = Ukraine): move the Russian polygon containing Simferopol to Ukraine.
    def contains(poly, lon, lat):
        pts = ring_points(poly[0], arcs_ll)
        inside = False
        for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
            if (ay > lat) != (by > lat) and lon < ax + (bx - ax) * (lat - ay) / (by - ay):
                inside = not inside
        return inside

    crimea = [p for p in by_iso["RUS"] if contains(p, 34.10, 44.95)]
    if crimea:
        by_iso["RUS"] = [p for p in by_iso["RUS"] if p not in crimea]
        crimea_arcs = {i if i >= 0 else ~i for i in crimea[0][0]}
        touching = [p for p in by_iso["UKR"]
                    if any((i if i >= 0 else ~i) in crimea_arcs for i in p[0])]
        rest = [p for p in by_iso["UKR"] if p not in touching]
        merged_edges = merge_polygons(touching + crimea)
        holes = [r for p in touching + crimea for r in p[1:]]
        by_iso["UKR"] = rest + [stitch(merged_edges, arcs_ll) + holes]

    # Project and simplify arcs once, so shared borders stay identical on both sides.
    proj = [simplify([project(lon, lat) for lon, lat in a], 0.25) for a in arcs_ll]

    margin = 6.0
    cx0, cy0, cx1, cy1 = -margin, -margin, WIDTH + margin, HEIGHT + margin

    def d_of(polys):
        rings = []
        for poly in polys:
            for ring in poly:
                c = clip(ring_points(ring, proj), cx0, cy0, cx1, cy1)
                if len(c) >= 3 and abs(area(c)) > 0.5:
                    rings.append(c)
        return path_d(rings)

    paths = []
    for name, polys in sorted(no_code):
        d = d_of(polys)
        if d:
            paths.append('<path class="country context" d="%s"><title>%s</title></path>'
                         % (d, esc(name)))
    for num, (iso, name, role) in sorted(COUNTRIES.items(), key=lambda kv: (ORDER[kv[1][2]], kv[1][0])):
        d = d_of(by_iso.get(iso, []))
        if not d:
            continue
        cls = ["country", role]
        if iso in STATUS:
            cls.append(STATUS[iso])
        paths.append('<path id="map-%s" class="%s" d="%s"><title>%s</title></path>'
                     % (iso, " ".join(cls), d, esc(title_for(iso, name, role))))

    W, H = WIDTH, HEIGHT + LEGEND_HEIGHT
    o = []
    o.append('<svg class="csto-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" '
             'role="img" aria-labelledby="map-title map-desc" focusable="false">' % (fmt(W), fmt(H)))
    o.append('<title id="map-title">The CSTO in June 2009: seven member states and their capitals</title>')
    o.append('<desc id="map-desc">Map of Eastern Europe and Central Asia highlighting the seven '
             'CSTO members of June 2009 and their capitals: Russia (Moscow), Belarus (Minsk), '
             'Armenia (Yerevan), Kazakhstan (Astana), Uzbekistan (Tashkent), Tajikistan (Dushanbe) '
             'and Kyrgyzstan (Bishkek). Hatching marks Uzbekistan, whose membership was suspended '
             'on 19 December 2012; dots mark Armenia, which froze its participation in February '
             '2024; Turkmenistan, outlined with a dashed line, was never a member.</desc>')
    o.append('<defs>')
    o.append('<pattern id="hatch-suspended" patternUnits="userSpaceOnUse" width="7" height="7" '
             'patternTransform="rotate(45)"><rect class="pattern-bg" width="7" height="7"/>'
             '<line class="pattern-ink" x1="1.75" y1="0" x2="1.75" y2="7"/></pattern>')
    o.append('<pattern id="dots-frozen" patternUnits="userSpaceOnUse" width="6" height="6">'
             '<rect class="pattern-bg" width="6" height="6"/>'
             '<circle class="pattern-ink" cx="1.5" cy="1.5" r="1.15"/>'
             '<circle class="pattern-ink" cx="4.5" cy="4.5" r="1.15"/></pattern>')
    o.append('</defs>')
    o.append('<rect class="sea" x="0" y="0" width="%s" height="%s"/>' % (fmt(W), fmt(HEIGHT)))
    o.append('<g class="countries">')
    o.extend(paths)
    o.append('</g>')

    # context and sea labels
    o.append('<g class="context-labels" aria-hidden="true">')
    for text, lon, lat, cls in CONTEXT_LABELS:
        x, y = project(lon, lat)
        o.append('<text class="%s" x="%s" y="%s">%s</text>' % (cls, fmt(x), fmt(y), esc(text)))
    t1, t2, lon, lat = NONMEMBER_LABEL
    x, y = project(lon, lat)
    o.append('<text class="label nonmember-label" x="%s" y="%s">'
             '<tspan class="label-country" x="%s">%s</tspan>'
             '<tspan class="label-note" x="%s" dy="1.15em">%s</tspan></text>'
             % (fmt(x), fmt(y), fmt(x), esc(t1), fmt(x), esc(t2)))
    o.append('</g>')

    # capitals: leader lines first, then dots, then labels on top
    leaders, dots, labels = [], [], []
    for iso, country, capital, lon, lat, llon, llat, anchor, leader in CAPITALS:
        cx, cy = project(lon, lat)
        lx, ly = project(llon, llat)
        dots.append('<circle class="capital" id="cap-%s" cx="%s" cy="%s" r="4"/>'
                    % (iso, fmt(cx), fmt(cy)))
        # the text block: country (bold) on the first line, capital on the second
        # ly is the baseline of line 1; line 2 is 1.15em lower (font-size 14 -> ~16 units)
        if leader:
            # end the leader at the nearest edge of the label block
            line_h = 16.0
            top, bottom = ly - 13.0, ly + line_h + 3.0
            ex = lx
            ey = top - 2 if cy < top else (bottom + 2 if cy > bottom else ly)
            if top <= cy <= bottom:
                ex = lx - 4 if cx < lx else lx + 4
            # shorten the line so it stops just outside the dot
            dx, dy = ex - cx, ey - cy
            dist = math.hypot(dx, dy) or 1.0
            sx, sy = cx + dx / dist * 5.5, cy + dy / dist * 5.5
            leaders.append('<line class="leader" x1="%s" y1="%s" x2="%s" y2="%s"/>'
                           % (fmt(sx), fmt(sy), fmt(ex), fmt(ey)))
        labels.append('<text class="label member-label" x="%s" y="%s" text-anchor="%s">'
                      '<tspan class="label-country" x="%s">%s</tspan>'
                      '<tspan class="label-capital" x="%s" dy="1.15em">%s</tspan></text>'
                      % (fmt(lx), fmt(ly), anchor, fmt(lx), esc(country), fmt(lx), esc(capital)))
    o.append('<g class="capitals" aria-hidden="true">')
    o.extend(leaders + dots + labels)
    o.append('</g>')

    o.extend(legend(W, HEIGHT))
    o.append('<rect class="frame" x="0.5" y="0.5" width="%s" height="%s"/>'
             % (fmt(W - 1), fmt(H - 1)))
    o.append('</svg>')
    return "\n".join(o) + "\n"


def title_for(iso, name, role):
    if iso == "UZB":
        return "Uzbekistan: CSTO member in June 2009; membership suspended 19 December 2012"
    if iso == "ARM":
        return "Armenia: CSTO member in June 2009; froze its participation in February 2024"
    if role == "member":
        return "%s: CSTO member in June 2009" % name
    if role == "nonmember":
        return "%s: never a CSTO member" % name
    return name


def legend(W, H):
    """Legend band under the map (y from H to H + LEGEND_HEIGHT): two rows, three columns."""
    y0 = H
    cols = (14.0, 296.0, 660.0)
    items = [
        (0, 0, "member", "CSTO member in June 2009"),
        (0, 1, "member suspended", "membership suspended (Uzbekistan, 2012)"),
        (0, 2, "member frozen", "participation frozen (Armenia, 2024)"),
        (1, 0, "nonmember", "never a member (Turkmenistan)"),
    ]
    o = ['<g class="legend" aria-hidden="true">',
         '<rect class="legend-box" x="0" y="%s" width="%s" height="%s"/>'
         % (fmt(y0), fmt(W), fmt(LEGEND_HEIGHT)),
         '<line class="legend-rule" x1="0" y1="%s" x2="%s" y2="%s"/>' % (fmt(y0), fmt(W), fmt(y0))]
    for row, col, cls, text in items:
        x, y = cols[col], y0 + 14 + row * 26
        o.append('<rect class="swatch %s" x="%s" y="%s" width="24" height="16"/>'
                 % (cls, fmt(x), fmt(y)))
        o.append('<text class="legend-text" x="%s" y="%s">%s</text>'
                 % (fmt(x + 32), fmt(y + 13), esc(text)))
    x, y = cols[1], y0 + 14 + 26
    o.append('<circle class="capital" cx="%s" cy="%s" r="4"/>' % (fmt(x + 12), fmt(y + 8)))
    o.append('<text class="legend-text" x="%s" y="%s">capital (names as in 2009)</text>'
             % (fmt(x + 32), fmt(y + 13)))
    o.append('<text class="credit" x="%s" y="%s" text-anchor="end">Boundaries: Natural Earth '
             '(public domain), via world-atlas</text>' % (fmt(W - 12), fmt(y + 13)))
    o.append('</g>')
    return o


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=SUBSET,
                    help="TopoJSON to read: the vendored subset (default) or world-atlas's "
                         "countries-50m.json from an npm install")
    ap.add_argument("--write-subset", action="store_true",
                    help="also (re)write the vendored subset from --source")
    ap.add_argument("--out", default=OUT, help="SVG fragment to write (default: %(default)s)")
    a = ap.parse_args(argv)
    with open(a.source, encoding="utf-8") as f:
        topo = json.load(f)
    if a.write_subset:
        write_subset(topo, SUBSET)
        with open(SUBSET, encoding="utf-8") as f:
            topo = json.load(f)
    svg = build(topo)
    check(svg)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(svg)
    print("wrote %s (%d bytes, viewBox 0 0 %s %s)"
          % (a.out, os.path.getsize(a.out), fmt(WIDTH), fmt(HEIGHT + LEGEND_HEIGHT)))


def check(svg):
    """The fragment must survive {% include %} and the CSP: no template syntax, no inline style,
    no script, no event attribute; and it must be well-formed XML."""
    import re
    import xml.dom.minidom
    for bad in ("{%", "{{", "{#", "style=", "<style", "<script", "javascript:"):
        if bad in svg:
            sys.exit("refusing to write: output contains %r" % bad)
    if re.search(r"<[^>]*\son[a-z]+\s*=", svg):
        sys.exit("refusing to write: output contains an event attribute")
    xml.dom.minidom.parseString(svg.encode("utf-8"))


if __name__ == "__main__":
    main()
