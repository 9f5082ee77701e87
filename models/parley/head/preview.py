"""Software previews of the Parley head: a vectorised numpy z-buffer rasteriser.

``python3 -m parley head-preview --out DIR`` renders a contact sheet (neutral front and
3/4, jaw open, lips pressed, lips rounded, blink, smile, three random identities).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .components import EXPRESSION_NAMES, N_EXPRESSION, N_POSE, N_SHAPE


@dataclass(frozen=True)
class Camera:
    yaw: float = 0.0         # radians, + turns the head to its left (we see its left cheek)
    pitch: float = 0.0       # radians, + looks from above
    size: int = 360
    center: tuple[float, float, float] = (0.0, 0.2, 0.0)
    extent: float = 0.30     # world meters across the image


def _rot(yaw: float, pitch: float) -> np.ndarray:
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    return rx @ ry


def rasterize(pos: np.ndarray, faces: np.ndarray, cam: Camera):
    """Orthographic z-buffer. Returns (tri_id [H,W] (-1 = empty), bary [H,W,3], view-space positions)."""
    R = _rot(-cam.yaw, cam.pitch)
    v = (pos - np.asarray(cam.center)) @ R.T
    S = cam.size
    px = (v[:, 0] / cam.extent + 0.5) * S
    py = (0.5 - v[:, 1] / cam.extent) * S
    depth = v[:, 2]  # larger = closer to the camera (camera looks along -z)
    a, b, c = faces[:, 0], faces[:, 1], faces[:, 2]
    x0, y0, x1, y1, x2, y2 = px[a], py[a], px[b], py[b], px[c], py[c]
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    # image y points down, so front faces (ccw in world) have negative area here
    keep = area < -1e-9
    tid = np.where(keep)[0]
    xmin = np.clip(np.floor(np.minimum(np.minimum(x0, x1), x2)[tid]).astype(int), 0, S - 1)
    xmax = np.clip(np.ceil(np.maximum(np.maximum(x0, x1), x2)[tid]).astype(int), 0, S - 1)
    ymin = np.clip(np.floor(np.minimum(np.minimum(y0, y1), y2)[tid]).astype(int), 0, S - 1)
    ymax = np.clip(np.ceil(np.maximum(np.maximum(y0, y1), y2)[tid]).astype(int), 0, S - 1)
    w = xmax - xmin + 1
    h = ymax - ymin + 1
    n = w * h
    ok = (n > 0) & (n < S * S // 4)
    tid, xmin, ymin, w, n = tid[ok], xmin[ok], ymin[ok], w[ok], n[ok]
    rep = np.repeat(np.arange(len(tid)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    k = np.arange(len(rep)) - start
    cx = xmin[rep] + k % w[rep] + 0.5
    cy = ymin[rep] + k // w[rep] + 0.5
    t = tid[rep]
    ar = area[t]
    l0 = ((x1[t] - cx) * (y2[t] - cy) - (x2[t] - cx) * (y1[t] - cy)) / ar
    l1 = ((x2[t] - cx) * (y0[t] - cy) - (x0[t] - cx) * (y2[t] - cy)) / ar
    l2 = 1 - l0 - l1
    inside = (l0 >= -1e-6) & (l1 >= -1e-6) & (l2 >= -1e-6)
    t, cx, cy, l0, l1, l2 = t[inside], cx[inside], cy[inside], l0[inside], l1[inside], l2[inside]
    z = l0 * depth[a[t]] + l1 * depth[b[t]] + l2 * depth[c[t]]
    pix = (cy.astype(int)) * S + cx.astype(int)
    order = np.lexsort((-z, pix))
    pix_s = pix[order]
    first = np.ones(len(pix_s), bool)
    first[1:] = pix_s[1:] != pix_s[:-1]
    sel = order[first]
    tri = -np.ones(S * S, int)
    bary = np.zeros((S * S, 3))
    tri[pix[sel]] = t[sel]
    bary[pix[sel]] = np.stack([l0[sel], l1[sel], l2[sel]], 1)
    return tri.reshape(S, S), bary.reshape(S, S, 3), v


def shade(pos, faces, normals, colors, gloss, cam: Camera) -> np.ndarray:
    tri, bary, v = rasterize(pos, faces, cam)
    S = cam.size
    R = _rot(-cam.yaw, cam.pitch)
    nv = normals @ R.T
    img = np.zeros((S, S, 3))
    yy = np.linspace(0, 1, S)[:, None]
    bg = np.array([0.78, 0.81, 0.85])[None, None, :] * (1 - 0.3 * yy[:, :, None])
    img[:] = bg
    m = tri >= 0
    t = tri[m]
    b = bary[m]
    f = faces[t]
    n = np.einsum("pk,pkj->pj", b, nv[f])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    col = np.einsum("pk,pkj->pj", b, colors[f][:, :, :3])
    g = np.einsum("pk,pk->p", b, gloss[f])
    lights = [(np.array([-0.45, 0.55, 0.70]), 0.85), (np.array([0.7, 0.1, 0.5]), 0.30), (np.array([0.0, -0.3, 1.0]), 0.15)]
    diff = np.full(len(n), 0.22)
    spec = np.zeros(len(n))
    view = np.array([0, 0, 1.0])
    for L, s in lights:
        L = L / np.linalg.norm(L)
        diff += s * np.clip(n @ L, 0, None)
        H = (L + view) / np.linalg.norm(L + view)
        spec += s * np.clip(n @ H, 0, None) ** (12 + 90 * g) * (0.05 + 0.55 * g)
    out = col * diff[:, None] + spec[:, None]
    img[m] = np.clip(out, 0, 1) ** (1 / 1.15)
    return img


def contact_sheet(model, out: Path, size: int = 300) -> list[Path]:
    """Render the standard set of poses into out/head-*.png and out/head-sheet.png."""
    from .flame import pose_numpy

    psi0 = np.zeros(N_EXPRESSION)
    th0 = np.zeros(N_POSE)
    b0 = np.zeros(N_SHAPE)

    def ex(**kw):
        p = psi0.copy()
        for k, val in kw.items():
            p[EXPRESSION_NAMES.index(k)] = val
        return p

    jaw = th0.copy()
    jaw[6] = 0.35
    rng = np.random.default_rng(7)
    shots = [
        ("neutral", b0, psi0, th0, 0.0),
        ("neutral-34", b0, psi0, th0, 0.65),
        ("jaw-open", b0, psi0, jaw, 0.35),
        ("lips-pressed", b0, ex(lip_press=1.0, lip_close=0.5), th0, 0.0),
        ("lips-round", b0, ex(lip_round=1.0, lip_protrude=0.6), th0, 0.5),
        ("blink", b0, ex(blink_L=1.0, blink_R=1.0), th0, 0.0),
        ("smile", b0, ex(mouth_corners_up=1.0, cheek_raise=0.6, lip_spread=0.4), th0, 0.3),
    ]
    for k in range(3):
        shots.append((f"shape{k}", rng.standard_normal(N_SHAPE), psi0, th0, 0.3))
    tiles = []
    for name, b, p, th, yaw in shots:
        verts = pose_numpy(model, b, p, th)
        from .geometry import vertex_normals
        nrm = vertex_normals(verts, model["faces"])
        cam = Camera(yaw=yaw, size=size, center=(0.0, float(model["joints"][3][1]) - 0.01, 0.0), extent=0.27)
        tiles.append((name, shade(verts, model["faces"], nrm, model["colors"], model["gloss"], cam)))
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    cols = 5
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.ones((rows * size, cols * size, 3))
    for i, (name, img) in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = img
    p = out / "head-sheet.png"
    plt.imsave(p, sheet)
    paths.append(p)
    return paths, tiles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m parley head-preview", description=__doc__)
    ap.add_argument("--out", default="../docs/images", help="output directory for PNGs")
    ap.add_argument("--assets", default=None, help="render the committed assets in DIR instead of a fresh build")
    ap.add_argument("--size", type=int, default=300, help="tile size in pixels")
    ap.add_argument("--tiles", action="store_true", help="also write each tile as head-<name>.png")
    args = ap.parse_args(argv)
    if args.assets:
        from .flame import load_parley_head, model_arrays_from_torch
        from .gltf import read_glb
        head, spec = load_parley_head(args.assets)
        model = model_arrays_from_torch(head)
        prim = read_glb(Path(args.assets) / spec["model"]).mesh_primitive()
        model["colors"] = prim["COLOR_0"].astype(np.float64)
        model["gloss"] = prim["TEXCOORD_1"][:, 0].astype(np.float64)
    else:
        from .build import build_model
        model = build_model()
    out = Path(args.out)
    paths, tiles = contact_sheet(model, out, args.size)
    if args.tiles:
        import matplotlib.pyplot as plt
        for name, img in tiles:
            plt.imsave(out / f"head-{name}.png", img)
    for p in paths:
        print(p)
    return 0
