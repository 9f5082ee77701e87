"""Procedural mesh of the Parley head: skin, mouth bag, teeth arches and eyeballs.

The skin is a star-shaped surface around a construction centre: every grid vertex
(azimuth theta, polar phi) is the outermost crossing of a ray with a smooth implicit
head (smooth union of ellipsoids and capsules). Two kinds of seams are cut along grid
rows: the mouth line (upper/lower lip vertices duplicated, coincident at rest) and an
eye slit per eye (duplicated, then opened by rotating the lids about the eye centre,
so that blinking is exactly "rotate back"). A mouth bag is extruded inward from the
mouth seam loop; teeth arches sit inside it; eyeballs are separate spheres.

All lengths are meters; +Y up, +Z forward, +X is the character's left.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# part labels
SKIN, BAG, TEETH_U, TEETH_L, EYE_L, EYE_R = range(6)
PART_NAMES = ("skin", "bag", "teeth_upper", "teeth_lower", "eye_L", "eye_R")


@dataclass(frozen=True)
class HeadConfig:
    n_cols_half: int = 52          # skin columns per half (total 2x)
    n_rows: int = 44               # skin rows between the poles
    eye_center: tuple[float, float, float] = (0.0320, 0.012, 0.0600)  # left eye, construction frame
    eye_radius: float = 0.0142
    eye_rings: int = 18
    eye_segments: int = 20
    lid_gap: float = 0.0004        # lid margin clearance above the eyeball
    lid_thickness: float = 0.0016
    eye_slit_half_angle: float = 0.46   # half width of the slit, radians of azimuth around the eye
    lid_open_upper: float = 0.44   # radians the upper lid rim is rotated up at rest (covers the iris top)
    lid_open_lower: float = 0.24   # radians the lower lid rim is rotated down at rest
    mouth_y: float = -0.052
    mouth_half_width: float = 0.0235
    jaw_joint: tuple[float, float, float] = (0.0, -0.020, 0.002)
    neck_joint: tuple[float, float, float] = (0.0, -0.070, -0.014)
    neck_bottom: float = -0.190
    teeth_samples: int = 25
    # mouth bag rings behind the seam loop: (depth back, vertical spread, x scale), meters
    bag_rings: tuple[tuple[float, float, float], ...] = (
        (0.0030, 0.0005, 0.98), (0.010, 0.0045, 0.99), (0.024, 0.0115, 1.04), (0.040, 0.011, 0.95), (0.052, 0.006, 0.6))


@dataclass
class HeadMesh:
    positions: np.ndarray          # [N,3] float64, final frame (root at origin)
    faces: np.ndarray              # [F,3] int
    colors: np.ndarray             # [N,4]
    gloss: np.ndarray              # [N]
    weights: np.ndarray            # [N,5] skinning weights, joint order root, neck, jaw, eye_L, eye_R
    joints: np.ndarray             # [5,3] world bind positions
    part: np.ndarray               # [N] part label
    offset: np.ndarray             # construction -> final translation
    info: dict = field(default_factory=dict)  # landmarks and per-vertex helpers for expressions/shape


# ---------------------------------------------------------------- implicit head

def _ell(p: np.ndarray, c, r) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipsoid (bound by Quilez)."""
    r = np.asarray(r, float)
    q = (p - np.asarray(c, float)) / r
    k0 = np.linalg.norm(q, axis=-1)
    k1 = np.linalg.norm(q / r, axis=-1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def _capsule(p, a, b, ra, rb):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    pa = p - a
    ba = b - a
    h = np.clip((pa @ ba) / (ba @ ba), 0.0, 1.0)
    d = np.linalg.norm(pa - h[..., None] * ba, axis=-1)
    return d - (ra + (rb - ra) * h)


def _smin(a, b, k):
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    return b * (1 - h) + a * h - k * h * (1 - h)


def _smax(a, b, k):
    return -_smin(-a, -b, k)


def head_sdf(p: np.ndarray, cfg: HeadConfig) -> np.ndarray:
    """Implicit stylised head in the construction frame (centre of the cranium at the origin)."""
    ax = np.abs(p[..., 0])
    pm = np.stack([ax, p[..., 1], p[..., 2]], axis=-1)  # mirrored to the left side
    cranium = _ell(p, (0, 0.018, -0.014), (0.076, 0.088, 0.095))
    face = _ell(p, (0, -0.038, 0.016), (0.061, 0.066, 0.068))
    d = _smin(cranium, face, 0.02)
    cheek = _ell(pm, (0.033, -0.026, 0.046), (0.032, 0.032, 0.032))
    d = _smin(d, cheek, 0.03)
    jaw = _capsule(pm, (0.046, -0.050, -0.004), (0.020, -0.088, 0.050), 0.017, 0.015)
    d = _smin(d, jaw, 0.026)
    chin = _ell(p, (0, -0.086, 0.064), (0.020, 0.017, 0.017))
    d = _smin(d, chin, 0.012)
    brow = _ell(p, (0.0, 0.036, 0.056), (0.062, 0.015, 0.022))
    d = _smin(d, brow, 0.02)
    # nose: bridge capsule plus tip and alar wings
    bridge = _capsule(p, (0, 0.016, 0.071), (0, -0.014, 0.093), 0.0062, 0.0080)
    tip = _ell(p, (0, -0.018, 0.092), (0.0098, 0.0092, 0.0100))
    ala = _ell(pm, (0.0110, -0.022, 0.082), (0.0080, 0.0072, 0.0085))
    nose = _smin(_smin(bridge, tip, 0.006), ala, 0.004)
    d = _smin(d, nose, 0.008)
    # lips: two soft rolls meeting along the mouth line (a crease where they join)
    ym = cfg.mouth_y
    ulip = _ell(p, (0, ym + 0.0052, 0.0795), (0.024, 0.0058, 0.0085))
    llip = _ell(p, (0, ym - 0.0060, 0.0775), (0.022, 0.0064, 0.0085))
    d = _smin(d, ulip, 0.005)
    d = _smin(d, llip, 0.005)
    # ears: a tilted slab with a carved bowl
    ear = _ell(pm, (0.071, 0.000, -0.014), (0.014, 0.029, 0.018))
    bowl = _ell(pm, (0.086, -0.002, -0.010), (0.009, 0.019, 0.011))
    ear = _smax(ear, -bowl, 0.004)
    d = _smin(d, ear, 0.008)
    # neck: an elliptic cylinder from inside the head down to the stump
    q = np.stack([p[..., 0] / 0.049, (p[..., 2] + 0.016) / 0.052], axis=-1)
    cyl = (np.linalg.norm(q, axis=-1) - 1.0) * 0.049
    cyl = _smax(cyl, cfg.neck_bottom - p[..., 1], 0.006)
    cyl = _smax(cyl, p[..., 1] - 0.0, 0.01)
    d = _smin(d, cyl, 0.03)
    return d


def _raycast(dirs: np.ndarray, cfg: HeadConfig, tmax: float = 0.32, steps: int = 160) -> np.ndarray:
    """Distance along each unit ray from the origin to the outermost surface crossing."""
    ts = np.linspace(tmax, 0.0, steps)
    inside = np.zeros(len(dirs), bool)
    t_in = np.zeros(len(dirs))
    for t in ts:  # march inward; first inside sample brackets the outermost crossing
        d = head_sdf(dirs * t, cfg)
        hit = (d < 0) & ~inside
        t_in[hit] = t
        inside |= hit
    lo = t_in.copy()
    hi = t_in + (ts[0] - ts[1])
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        ins = head_sdf(dirs * mid[:, None], cfg) < 0
        lo = np.where(ins, mid, lo)
        hi = np.where(ins, hi, mid)
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------- helpers

def _direction(theta, phi):
    return np.stack([np.sin(phi) * np.sin(theta), np.cos(phi), np.sin(phi) * np.cos(theta)], axis=-1)


def _inverse_cdf(density, lo, hi, n, fine=4000):
    x = np.linspace(lo, hi, fine)
    c = np.concatenate([[0], np.cumsum(0.5 * (density(x[1:]) + density(x[:-1])) * np.diff(x))])
    c /= c[-1]
    return np.interp(np.linspace(0, 1, n), c, x)


def _rot_x(angle):
    c, s = np.cos(angle), np.sin(angle)
    return c, s


def _rotate_about_x(p, center, angle):
    """Rotate points about the x axis through center; angle per point (+ lifts the front upward)."""
    q = p - center
    c, s = np.cos(angle), np.sin(angle)
    y = q[:, 1] * c + q[:, 2] * s
    z = -q[:, 1] * s + q[:, 2] * c
    return np.stack([p[:, 0], y + center[1], z + center[2]], axis=-1)


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def vertex_normals(pos: np.ndarray, faces: np.ndarray) -> np.ndarray:
    fn = np.cross(pos[faces[:, 1]] - pos[faces[:, 0]], pos[faces[:, 2]] - pos[faces[:, 0]])
    n = np.zeros_like(pos)
    for k in range(3):
        np.add.at(n, faces[:, k], fn)
    ln = np.linalg.norm(n, axis=1, keepdims=True)
    return n / np.maximum(ln, 1e-20)


# ---------------------------------------------------------------- build

def build_head(cfg: HeadConfig | None = None) -> HeadMesh:
    cfg = cfg or HeadConfig()
    E = np.array(cfg.eye_center, float)
    El = E
    Er = E * np.array([-1, 1, 1])
    re = cfg.eye_radius

    # --- grid angles: dense on the face, symmetric about theta = 0
    def col_density(t):
        t = np.abs(t)
        return 0.55 + 2.2 * np.exp(-(t / 0.95) ** 2) + 0.6 * np.exp(-((t - 1.5) / 0.3) ** 2)

    half = _inverse_cdf(col_density, 0.0, np.pi, cfg.n_cols_half + 1)
    thetas = np.concatenate([half[:-1], -half[1:][::-1]])  # 0 .. pi .. -small; 2*n_cols_half columns
    order = np.argsort(thetas)
    thetas = thetas[order]
    nc = len(thetas)

    phi_mouth = np.pi / 2 + np.arctan2(-cfg.mouth_y, 0.082)
    # eye slit row: the ray toward the eye's azimuth that meets the eyeball at the eye's height
    th_eye = np.arctan2(E[0], E[2])
    horiz = np.hypot(E[0], E[2]) + re
    phi_eye = np.arctan2(horiz, E[1])

    def row_density(p):
        return 0.6 + 2.0 * np.exp(-((p - 1.72) / 0.42) ** 2) + 1.0 * np.exp(-((p - phi_mouth) / 0.12) ** 2) \
            + 0.8 * np.exp(-((p - phi_eye) / 0.12) ** 2)

    phis = _inverse_cdf(row_density, 0.0, np.pi, cfg.n_rows + 2)[1:-1]
    i_eye = int(np.argmin(np.abs(phis - phi_eye)))
    phis[i_eye] = phi_eye
    i_mouth = int(np.argmin(np.abs(phis - phi_mouth)))
    phis[i_mouth] = phi_mouth
    nr = len(phis)

    TH, PH = np.meshgrid(thetas, phis)  # [nr, nc]
    dirs = _direction(TH, PH).reshape(-1, 3)
    t = _raycast(dirs, cfg)

    # eye conformance: move skin radially about each eye centre onto the lid sphere near the eye
    # axis, and never closer than the lid sphere (so the eyeball cannot poke through the skin)
    skin = dirs * t[:, None]
    R_lid = re + cfg.lid_gap + cfg.lid_thickness
    w_eye = np.zeros(len(dirs))
    eye_side = np.zeros(len(dirs), int)
    for side, c in ((1, El), (-1, Er)):
        q = skin - c
        dist = np.linalg.norm(q, axis=1)
        qa = np.arctan2(np.hypot(q[:, 0] * 0.85, q[:, 1] * 1.1), q[:, 2])
        w = (1.0 - smoothstep(0.70, 1.30, qa)) * (1 - smoothstep(1.3 * R_lid, 2.2 * R_lid, dist))
        nd = (1 - w) * dist + w * R_lid
        guard = 1 - smoothstep(1.5, 1.9, qa)
        nd = nd + guard * (_smax(nd, np.full_like(nd, R_lid), 0.0015) - nd)
        skin = c + q * (nd / np.maximum(dist, 1e-9))[:, None]
        sel = w > w_eye
        eye_side[sel] = side
        w_eye = np.maximum(w_eye, w)
    skin = skin.reshape(nr, nc, 3)
    w_eye = w_eye.reshape(nr, nc)
    eye_side = eye_side.reshape(nr, nc)

    # --- seams
    mouth_cols = np.where((np.abs(skin[i_mouth, :, 0]) < cfg.mouth_half_width) & (skin[i_mouth, :, 2] > 0))[0]
    # corners are the first columns outside: shared between upper and lower lip
    mouth_seam = mouth_cols  # duplicated columns
    eye_cols = {}
    for side, c in ((1, El), (-1, Er)):
        th_c = np.arctan2(c[0], c[2])
        cols = np.where(np.abs(thetas - th_c) < 0.5 * (cfg.eye_slit_half_angle))[0]
        eye_cols[side] = cols

    # vertex table: grid first, then seam duplicates
    idx = np.arange(nr * nc).reshape(nr, nc)
    positions = [skin.reshape(-1, 3)]
    n_grid = nr * nc
    lower_idx = idx.copy()  # index used by faces below a seam row
    next_i = n_grid
    dup_of: list[int] = []
    for c in mouth_seam:
        lower_idx[i_mouth, c] = next_i
        dup_of.append(idx[i_mouth, c])
        next_i += 1
    eye_dups = {}
    for side in (1, -1):
        lst = []
        for c in eye_cols[side]:
            lower_idx[i_eye, c] = next_i
            dup_of.append(idx[i_eye, c])
            lst.append(next_i)
            next_i += 1
        eye_dups[side] = lst
    dup_of = np.array(dup_of, int)
    pos = np.concatenate([skin.reshape(-1, 3), skin.reshape(-1, 3)[dup_of]], axis=0)
    top = len(pos)
    bot = top + 1
    top_p = np.array([0, _raycast(np.array([[0, 1.0, 0]]), cfg)[0], 0])
    bot_p = np.array([0, cfg.neck_bottom, -0.016])
    pos = np.concatenate([pos, top_p[None], bot_p[None]], axis=0)
    n_skin = len(pos)

    # grid coordinates per skin vertex (row, col), duplicates flagged as lower side
    row = np.concatenate([np.repeat(np.arange(nr), nc), np.repeat(i_mouth, len(mouth_seam)),
                          np.repeat(i_eye, len(dup_of) - len(mouth_seam)), [-1, nr]])
    col = np.concatenate([np.tile(np.arange(nc), nr), mouth_seam,
                          np.concatenate([eye_cols[1], eye_cols[-1]]), [0, 0]])
    is_dup = np.zeros(n_skin, bool)
    is_dup[n_grid:n_grid + len(dup_of)] = True

    faces = []
    for i in range(nr - 1):
        a_row = idx[i]
        b_row = lower_idx[i + 1] * 0 + idx[i + 1]
        if i == i_mouth or i == i_eye:
            a_row = lower_idx[i]
        for j in range(nc):
            j2 = (j + 1) % nc
            a, b = a_row[j], a_row[j2]
            c_, d_ = b_row[j], b_row[j2]
            # ccw seen from outside: theta increases toward +x (left), rows go down
            faces.append((a, c_, b))
            faces.append((b, c_, d_))
    for j in range(nc):
        j2 = (j + 1) % nc
        faces.append((top, idx[0, j], idx[0, j2]))
        faces.append((bot, idx[nr - 1, j2], idx[nr - 1, j]))
    faces = np.array(faces, int)
    # orientation check against the centre and flip if needed (construction is symmetric)
    fc = pos[faces].mean(axis=1)
    fn = np.cross(pos[faces[:, 1]] - pos[faces[:, 0]], pos[faces[:, 2]] - pos[faces[:, 0]])
    if np.sum(np.einsum("ij,ij->i", fn, fc)) < 0:
        faces = faces[:, [0, 2, 1]]

    # --- open the eyes: rotate upper lid up, lower lid down about the eye centre
    grid_pos_closed = pos.copy()
    lid_rot = np.zeros(n_skin)   # rotation applied at rest (radians, + = up)
    for side, c in ((1, El), (-1, Er)):
        th_c = np.arctan2(c[0], c[2])
        halfw = 0.5 * cfg.eye_slit_half_angle
        sel = (eye_side[np.clip(row, 0, nr - 1), col] == side) & (row >= 0) & (row < nr)
        vi = np.where(sel)[0]
        dth = (thetas[col[vi]] - th_c) / (halfw + 0.5 * (thetas[1] - thetas[0]) * 2.2)
        across = np.clip(1 - dth ** 2, 0, 1) ** 0.6
        drow = phis[row[vi]] - phi_eye
        upper = (drow < 0) | ((row[vi] == i_eye) & ~is_dup[vi])
        dist = np.abs(drow)
        amt_u = cfg.lid_open_upper * across * (1 - smoothstep(0.0, 0.62, dist))
        amt_l = cfg.lid_open_lower * across * (1 - smoothstep(0.0, 0.40, dist))
        ang = np.where(upper, amt_u, -amt_l) * w_eye[np.clip(row[vi], 0, nr - 1), col[vi]]
        lid_rot[vi] = ang
        pos[vi] = _rotate_about_x(pos[vi], c, ang)

    # --- mouth bag: loop of seam vertices, extruded inward
    mc = mouth_seam
    cL = mc.max() + 1 if skin[i_mouth, mc.max() + 1, 0] > 0 else mc.min() - 1
    cR = mc.min() - 1 if cL == mc.max() + 1 else mc.max() + 1
    upper_ids = [idx[i_mouth, c] for c in mc]
    lower_ids = [lower_idx[i_mouth, c] for c in mc]
    xs = pos[upper_ids, 0]
    o = np.argsort(xs)  # right (-x) to left (+x)
    upper_ids = list(np.array(upper_ids)[o])
    lower_ids = list(np.array(lower_ids)[o])
    cornerR = idx[i_mouth, cR]
    cornerL = idx[i_mouth, cL]
    loop = [cornerR] + upper_ids + [cornerL] + lower_ids[::-1]
    loop_side = np.array([0] + [1] * len(upper_ids) + [0] + [-1] * len(lower_ids))
    L = len(loop)
    loop_p = pos[loop]
    mcen = loop_p.mean(axis=0)
    # ring: (depth back, vertical spread, x scale)
    rings = cfg.bag_rings
    bag_pos = []
    bag_anchor = []
    bag_depth = []
    for k, (dz, dy, sx) in enumerate(rings):
        for li in range(L):
            p = loop_p[li].copy()
            p[0] = mcen[0] + (p[0] - mcen[0]) * sx
            p[2] = min(p[2], mcen[2] + 0.004) - dz
            p[1] = p[1] + loop_side[li] * dy
            bag_pos.append(p)
            bag_anchor.append(loop[li])
            bag_depth.append(k + 1)
    bag_start = len(pos)
    bag_pos.append(mcen + np.array([0, 0, -0.056]))
    bag_anchor.append(-1)
    bag_depth.append(len(rings) + 1)
    pos = np.concatenate([pos, np.array(bag_pos)], axis=0)
    ring_ids = [np.array(loop)] + [bag_start + k * L + np.arange(L) for k in range(len(rings))]
    bag_faces = []
    for k in range(len(rings)):
        A, B = ring_ids[k], ring_ids[k + 1]
        for li in range(L):
            l2 = (li + 1) % L
            bag_faces.append((A[li], A[l2], B[li]))
            bag_faces.append((A[l2], B[l2], B[li]))
    capc = len(pos) - 1
    A = ring_ids[-1]
    for li in range(L):
        bag_faces.append((A[li], A[(li + 1) % L], capc))
    bag_faces = np.array(bag_faces, int)
    # orient the bag so its front side faces the cavity (normals toward the bag axis)
    fcen = pos[bag_faces].mean(axis=1)
    fn = np.cross(pos[bag_faces[:, 1]] - pos[bag_faces[:, 0]], pos[bag_faces[:, 2]] - pos[bag_faces[:, 0]])
    axis_pt = np.stack([np.full(len(fcen), mcen[0]), np.full(len(fcen), mcen[1]), fcen[:, 2]], 1)
    if np.sum(np.einsum("ij,ij->i", fn, axis_pt - fcen)) < 0:
        bag_faces = bag_faces[:, [0, 2, 1]]
    n_bag = len(pos) - n_skin

    # --- teeth arches
    teeth_pos = []
    teeth_faces = []
    teeth_part = []
    zf = mcen[2] - 0.0055  # front of the incisors
    ym = mcen[1]
    for part, sgn in ((TEETH_U, 1), (TEETH_L, -1)):
        base = len(pos) + len(teeth_pos)
        ns = cfg.teeth_samples
        s = np.linspace(-1, 1, ns)
        ang = s * 1.25
        ax_ = 0.021 if sgn > 0 else 0.0195
        az_ = 0.030 if sgn > 0 else 0.028
        zf_p = zf if sgn > 0 else zf - 0.0018
        cx = ax_ * np.sin(ang)
        cz = zf_p - az_ * (1 - np.cos(ang))
        tx = np.cos(ang) * ax_
        tz = az_ * np.sin(ang)
        tn = np.stack([tx, tz], 1) / np.linalg.norm(np.stack([tx, tz], 1), axis=1, keepdims=True)
        outward = np.stack([tn[:, 1], -tn[:, 0]], 1)  # (x,z) normal pointing out of the arch
        outward *= np.sign(outward[ns // 2, 1])
        h = 0.0085
        th = 0.0032
        edge = ym + (0.0012 if sgn > 0 else -0.0006)  # biting edge: upper teeth overlap the lower in front
        # cross-section (offset along outward, height from edge), closed loop of 8
        prof = [(0.5, 0.0), (0.5, 0.35), (0.5, 1.0), (0.2, 1.05), (-0.5, 1.0), (-0.5, 0.35), (-0.5, 0.0), (0.0, -0.08)]
        for i in range(ns):
            for (o_, hh) in prof:
                x = cx[i] + outward[i, 0] * o_ * th
                z = cz[i] + outward[i, 1] * o_ * th
                y = edge + sgn * hh * h * (1 - 0.15 * abs(s[i]))
                teeth_pos.append((x, y, z))
                teeth_part.append(part)
        npf = len(prof)
        for i in range(ns - 1):
            for k in range(npf):
                k2 = (k + 1) % npf
                a = base + i * npf + k
                b = base + i * npf + k2
                c_ = base + (i + 1) * npf + k
                d_ = base + (i + 1) * npf + k2
                teeth_faces.append((a, b, c_))
                teeth_faces.append((b, d_, c_))
        # end caps
        for i, flip in ((0, True), (ns - 1, False)):
            ring = [base + i * npf + (k + 3) % npf for k in range(npf)]  # fan from a non-collinear corner
            for k in range(1, npf - 1):
                f = (ring[0], ring[k], ring[k + 1])
                teeth_faces.append(f[::-1] if flip else f)
    teeth_pos = np.array(teeth_pos)
    teeth_faces = np.array(teeth_faces, int)
    pos = np.concatenate([pos, teeth_pos], axis=0)
    teeth_part = np.array(teeth_part)
    # orient each arch outward (closed tube: signed volume positive)
    for part in (TEETH_U, TEETH_L):
        start = n_skin + n_bag + np.where(teeth_part == part)[0].min()
        stop = n_skin + n_bag + np.where(teeth_part == part)[0].max() + 1
        m = (teeth_faces[:, 0] >= start) & (teeth_faces[:, 0] < stop)
        if _signed_volume(pos, teeth_faces[m]) < 0:
            teeth_faces[m] = teeth_faces[m][:, [0, 2, 1]]

    # --- eyeballs: UV spheres with the pole at +Z so the iris edge is a ring
    eye_pos = []
    eye_faces = []
    eye_part = []
    eye_polar = []
    nrg, nsg = cfg.eye_rings, cfg.eye_segments
    polar = _inverse_cdf(lambda a: 1.0 + 1.5 * np.exp(-((a - 0.62) / 0.25) ** 2), 0, np.pi, nrg + 2)[1:-1]
    iris_a = 0.62
    pupil_a = 0.27
    polar[np.argmin(np.abs(polar - iris_a))] = iris_a
    polar[np.argmin(np.abs(polar - pupil_a))] = pupil_a
    for part, c in ((EYE_L, El), (EYE_R, Er)):
        base = len(pos) + len(eye_pos)
        eye_pos.append(c + np.array([0, 0, re]))
        eye_part.append(part)
        eye_polar.append(0.0)
        for a in polar:
            for k in range(nsg):
                b = 2 * np.pi * k / nsg
                # slight cornea bulge over the iris
                rr = re * (1 + 0.06 * max(0.0, np.cos(a * np.pi / (2 * iris_a))) if a < iris_a else 1)
                eye_pos.append(c + rr * np.array([np.sin(a) * np.cos(b), np.sin(a) * np.sin(b), np.cos(a)]))
                eye_part.append(part)
                eye_polar.append(a)
        eye_pos.append(c + np.array([0, 0, -re]))
        eye_part.append(part)
        eye_polar.append(np.pi)
        front = base
        back = base + 1 + nrg * nsg
        ring = lambda r_: base + 1 + r_ * nsg  # noqa: E731
        for k in range(nsg):
            k2 = (k + 1) % nsg
            eye_faces.append((front, ring(0) + k, ring(0) + k2))
            eye_faces.append((back, ring(nrg - 1) + k2, ring(nrg - 1) + k))
        for r_ in range(nrg - 1):
            for k in range(nsg):
                k2 = (k + 1) % nsg
                a, b = ring(r_) + k, ring(r_) + k2
                c_, d_ = ring(r_ + 1) + k, ring(r_ + 1) + k2
                eye_faces.append((a, c_, b))
                eye_faces.append((b, c_, d_))
    eye_pos = np.array(eye_pos)
    eye_faces = np.array(eye_faces, int)
    pos = np.concatenate([pos, eye_pos], axis=0)
    eye_part = np.array(eye_part)
    eye_polar = np.array(eye_polar)
    n_before_eyes = len(pos) - len(eye_pos)
    for part in (EYE_L, EYE_R):
        ids = n_before_eyes + np.where(eye_part == part)[0]
        m = np.isin(eye_faces[:, 0], ids)
        if _signed_volume(pos, eye_faces[m]) < 0:
            eye_faces[m] = eye_faces[m][:, [0, 2, 1]]

    N = len(pos)
    part = np.zeros(N, int)
    part[n_skin:n_skin + n_bag] = BAG
    part[n_skin + n_bag:n_before_eyes] = teeth_part
    part[n_before_eyes:] = eye_part
    faces_all = np.concatenate([faces, bag_faces, teeth_faces, eye_faces], axis=0)

    # --- joints (construction frame)
    joints_c = np.array([
        [0.0, cfg.neck_bottom, -0.016],
        cfg.neck_joint,
        cfg.jaw_joint,
        El,
        Er,
    ], float)

    # --- per-vertex mouth helpers (used by skinning, colours, expressions)
    side = np.zeros(N)            # +1 upper lip side of the seam, -1 lower, 0 elsewhere/corners
    seam_upper = np.array(upper_ids)
    seam_lower = np.array(lower_ids)
    side[seam_upper] = 1
    side[seam_lower] = -1
    bag_anchor = np.array(bag_anchor)
    bag_depth = np.array(bag_depth)
    bag_ids = np.arange(n_skin, n_skin + n_bag)
    anchor_full = -np.ones(N, int)
    anchor_full[bag_ids] = bag_anchor
    depth_full = np.zeros(N)
    depth_full[bag_ids] = bag_depth
    side[bag_ids] = np.where(bag_anchor >= 0, side[np.maximum(bag_anchor, 0)], 0)

    info = dict(
        El=El, Er=Er, eye_radius=re, mouth_center=mcen, mouth_y=mcen[1], n_grid=n_grid, n_skin=n_skin, n_bag=n_bag,
        thetas=thetas, phis=phis, i_mouth=i_mouth, i_eye=i_eye, row=np.concatenate([row, -2 * np.ones(N - n_skin, int)]),
        col=np.concatenate([col, -2 * np.ones(N - n_skin, int)]), is_dup=np.concatenate([is_dup, np.zeros(N - n_skin, bool)]),
        seam_upper=seam_upper, seam_lower=seam_lower, corners=(cornerR, cornerL), loop=np.array(loop),
        side=side, bag_anchor=anchor_full, bag_depth=depth_full, lid_rot=np.concatenate([lid_rot, np.zeros(N - n_skin)]),
        eye_dups=eye_dups, eye_upper_rim={s: np.array([idx[i_eye, c] for c in eye_cols[s]]) for s in (1, -1)},
        w_eye=np.concatenate([w_eye.reshape(-1), w_eye.reshape(-1)[dup_of], [0, 0], np.zeros(N - n_skin)]),
        eye_side=np.concatenate([eye_side.reshape(-1), eye_side.reshape(-1)[dup_of], [0, 0], np.zeros(N - n_skin, int)]),
        eye_polar=np.concatenate([np.full(n_before_eyes, -1.0), eye_polar]), teeth_front_z=zf, mouth_half_width=cfg.mouth_half_width,
        iris_angle=iris_a, pupil_angle=pupil_a,
    )

    weights = _skin_weights(pos, part, joints_c, info, cfg)
    colors, gloss = _colors(pos, part, info, cfg)

    # final frame: root joint at the origin
    offset = -joints_c[0]
    for k in ("El", "Er", "mouth_center"):
        info[k] = info[k] + offset
    info["mouth_y"] = info["mouth_center"][1]
    info["teeth_front_z"] = zf + offset[2]
    return HeadMesh(positions=pos + offset, faces=faces_all, colors=colors, gloss=gloss, weights=weights,
                    joints=joints_c + offset, part=part, offset=offset, info=info)


def _signed_volume(pos, faces):
    a, b, c = pos[faces[:, 0]], pos[faces[:, 1]], pos[faces[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def _skin_weights(pos, part, joints, info, cfg):
    N = len(pos)
    W = np.zeros((N, 5))
    x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
    mc = info["mouth_center"]
    hw = cfg.mouth_half_width
    u = np.abs(x - mc[0]) / hw
    side = info["side"]
    # jaw line: mouth line in front, rising toward the jaw joint behind the cheeks
    zj = joints[2][2]
    t_back = smoothstep(mc[2] - 0.005, zj + 0.01, z)
    y_line = mc[1] + (joints[2][1] - 0.012 - mc[1]) * t_back * smoothstep(0.8, 2.2, u)
    h = 0.0012 + 0.014 * smoothstep(0.7, 2.0, u)   # transition half-height: sharp at the lips
    dy = y - y_line + side * h * (1 - smoothstep(0.85, 1.0, u))
    w_jaw = 1 - smoothstep(-h, h, dy)
    # fade into the throat below and behind the chin, nothing behind the jaw joint
    throat = smoothstep(-0.045, -0.005, (z - 0.035) - 0.9 * (mc[1] - 0.045 - y))
    w_jaw *= 1 - smoothstep(0.35, 1.0, 1 - throat)
    w_jaw *= smoothstep(zj - 0.035, zj + 0.005, z)
    w_jaw *= smoothstep(mc[1] - 0.072, mc[1] - 0.045, y)  # the throat stays with the neck
    # root vs neck: lower part of the neck stays with the body
    w_root = 1 - smoothstep(joints[0][1] + 0.025, joints[1][1] - 0.02, y)
    w_root = np.clip(w_root, 0, 1)
    W[:, 2] = w_jaw * (1 - w_root)
    W[:, 0] = w_root
    W[:, 1] = 1 - W[:, 0] - W[:, 2]
    # parts
    bag = part == BAG
    anc = info["bag_anchor"]
    W[bag] = 0
    has = bag & (anc >= 0)
    W[has] = W[anc[has]]
    # cap: split between head and jaw
    W[bag & (anc < 0), 1] = 0.5
    W[bag & (anc < 0), 2] = 0.5
    W[part == TEETH_U] = [0, 1, 0, 0, 0]
    W[part == TEETH_L] = [0, 0, 1, 0, 0]
    W[part == EYE_L] = [0, 0, 0, 1, 0]
    W[part == EYE_R] = [0, 0, 0, 0, 1]
    W = np.clip(W, 0, 1)
    W /= W.sum(axis=1, keepdims=True)
    return W


def _colors(pos, part, info, cfg):
    N = len(pos)
    x, y, z = pos[:, 0], pos[:, 1], pos[:, 2]
    ax = np.abs(x)
    skin = np.array([0.87, 0.63, 0.50])
    col = np.tile(skin, (N, 1))
    # low-frequency variation: warmer lower face, slightly paler forehead
    col *= (1 + 0.03 * np.sin(x * 90) * np.cos(y * 70))[:, None]
    col += (0.03 * smoothstep(0.04, -0.06, y))[:, None] * np.array([0.5, -0.3, -0.3])
    def blob(c, r):
        return np.exp(-np.sum(((np.stack([ax, y, z], 1) - np.array(c)) / np.array(r)) ** 2, axis=1))
    red = np.array([0.80, 0.45, 0.40])
    col = col * (1 - 0.30 * blob((0.040, -0.030, 0.060), (0.018, 0.016, 0.03))[:, None]) + \
        0.30 * blob((0.040, -0.030, 0.060), (0.018, 0.016, 0.03))[:, None] * red
    col = col * (1 - 0.25 * blob((0, -0.020, 0.10), (0.010, 0.008, 0.012))[:, None]) + \
        0.25 * blob((0, -0.020, 0.10), (0.010, 0.008, 0.012))[:, None] * red
    ear = blob((0.080, 0.0, -0.012), (0.02, 0.035, 0.025))
    col = col * (1 - 0.25 * ear[:, None]) + 0.25 * ear[:, None] * red
    # brows: a darker band above the eyes
    E = info["El"]
    brow_y = E[1] + 0.021 - 8.0 * (ax - E[0]) ** 2
    brow = np.exp(-((ax - E[0] + 0.002) / 0.020) ** 4 - ((y - brow_y) / 0.0035) ** 2)
    brow *= (z > 0.03)
    col = col * (1 - 0.55 * brow[:, None]) + 0.55 * brow[:, None] * np.array([0.32, 0.20, 0.14])
    # lips: vermilion zone around the seam
    mc = info["mouth_center"]
    u = (x - mc[0]) / cfg.mouth_half_width
    dy = y - mc[1]
    side = np.where(dy >= 0, 1.0, -1.0)
    side = np.where(info["side"] != 0, info["side"], side)
    hgt = np.where(side > 0, 0.0068 * (1 - 0.45 * u ** 2), 0.0082 * (1 - 0.55 * u ** 2))
    lip = (1 - smoothstep(0.75, 1.15, np.abs(dy) / np.maximum(hgt, 1e-4))) * (1 - smoothstep(0.95, 1.12, np.abs(u)))
    lip *= (z > mc[2] - 0.012)
    lipc = np.array([0.74, 0.38, 0.36])
    col = col * (1 - lip[:, None]) + lip[:, None] * lipc
    gloss = 0.12 + 0.25 * lip
    # mouth interior: dark, darker deeper
    bag = part == BAG
    d = info["bag_depth"]
    inner = np.array([0.42, 0.16, 0.16]) * (1 - 0.12 * d)[:, None]
    inner = np.clip(inner, 0.05, 1)
    col[bag] = inner[bag]
    gloss[bag] = 0.3
    # first bag ring is the wet inner lip
    first = bag & (d == 1)
    col[first] = lipc * 0.85
    teeth = (part == TEETH_U) | (part == TEETH_L)
    col[teeth] = [0.93, 0.90, 0.80]
    gloss[teeth] = 0.75
    for p in (EYE_L, EYE_R):
        m = part == p
        a = info["eye_polar"]
        sclera = np.array([0.95, 0.93, 0.90])
        iris = np.array([0.28, 0.45, 0.42])
        c = np.tile(sclera, (N, 1))
        c = np.where((a < info["iris_angle"] + 1e-6)[:, None], iris, c)
        c = np.where((a < info["iris_angle"] * 0.75)[:, None], iris * 1.25, c)
        c = np.where((a < info["pupil_angle"] + 1e-6)[:, None], np.array([0.03, 0.03, 0.035]), c)
        col[m] = c[m]
        gloss[m] = 0.95
    col = np.clip(col, 0, 1)
    rgba = np.concatenate([col, np.ones((N, 1))], axis=1)
    return rgba, np.clip(gloss, 0, 1)
