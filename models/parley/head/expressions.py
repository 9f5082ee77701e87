"""The 50 expression blendshapes, as smooth procedural deformation fields.

Each component is a delta field (meters) over the template: weight 1.0 is a full, natural
articulation. Lip deformations that separate the lips ("split" fields) act differently on
the upper and lower side of the mouth seam and fade to zero exactly at the mouth corners
(shared vertices), so the seam never tears. The mouth bag follows its loop vertex with a
falloff by depth; teeth and eyeballs never morph. Eyelids rotate about the eye centre so
they slide over the eyeball.
"""
from __future__ import annotations

import numpy as np

from .components import EXPRESSION_NAMES, N_EXPRESSION
from .geometry import BAG, SKIN, HeadMesh, smoothstep

BAG_FALLOFF = np.array([1.0, 1.0, 0.75, 0.4, 0.15, 0.05, 0.0])  # by bag ring (0 = the loop itself)


class _Fields:
    """Per-vertex coordinates relative to the mouth and eyes, shared by the components."""

    def __init__(self, mesh: HeadMesh):
        info = mesh.info
        P = mesh.positions
        self.P = P
        self.N = len(P)
        self.skin = mesh.part == SKIN
        self.x, self.y, self.z = P[:, 0], P[:, 1], P[:, 2]
        mc = info["mouth_center"]
        self.mc = mc
        self.hw = info["mouth_half_width"]
        self.u = (self.x - mc[0]) / self.hw
        self.au = np.abs(self.u)
        self.dy = self.y - mc[1]
        self.dz = self.z - mc[2]
        side = np.where(self.dy > 0, 1.0, -1.0)
        side = np.where(info["side"] != 0, info["side"], side)
        corners = list(info["corners"])
        side[corners] = 0.0
        self.side = side
        self.front = smoothstep(-0.045, -0.015, self.dz) * self.skin
        # split weight: full across the lips, zero at the corners
        self.L = 1 - smoothstep(0.45, 1.0, self.au)
        self.Lc = np.exp(-(self.u / 0.5) ** 2) * self.L  # centre-weighted
        # lip bands above and below the seam (vermilion plus a little skin)
        self.up = (side > 0) * np.exp(-(np.maximum(self.dy, 0) / 0.008) ** 2) * self.front
        self.lo = (side < 0) * np.exp(-(np.maximum(-self.dy, 0) / 0.010) ** 2) * self.front
        self.up_edge = (side > 0) * np.exp(-(np.maximum(self.dy, 0) / 0.0035) ** 2) * self.front
        self.lo_edge = (side < 0) * np.exp(-(np.maximum(-self.dy, 0) / 0.0040) ** 2) * self.front
        # whole-mouth region (not split): lips and the skin around them
        self.M = np.exp(-(np.maximum(self.au - 0.7, 0) / 0.6) ** 2) * np.exp(-(self.dy / 0.016) ** 2) * self.front
        self.Mlips = np.exp(-(np.maximum(self.au - 0.8, 0) / 0.35) ** 2) * np.exp(-(self.dy / 0.009) ** 2) * self.front
        self.El, self.Er = info["El"], info["Er"]
        self.re = info["eye_radius"]
        self.lid_rot = info["lid_rot"]
        self.eye_side = info["eye_side"]
        self.w_eye = info["w_eye"]
        self.info = info

    def blob(self, c, r, mirror=False):
        """Gaussian blob mask on the skin; mirror=True makes it symmetric in x."""
        x = np.abs(self.x) if mirror else self.x
        q = (np.stack([x, self.y, self.z], 1) - np.asarray(c)) / np.asarray(r)
        return np.exp(-np.sum(q * q, axis=1)) * self.skin

    def half(self, sgn):
        """Exactly zero on the other side of the mouth/face midline."""
        return smoothstep(0.0, 0.008, sgn * self.x)

    def corner(self, sgn, r=0.011):
        c = self.mc + np.array([sgn * self.hw, 0.0, -0.004])
        return self.blob(c, (r, r, r * 1.5))

    def vec(self, w, dx=0.0, dy=0.0, dz=0.0):
        return w[:, None] * np.array([dx, dy, dz])[None, :]


def _rotate_x(P, c, ang):
    q = P - c
    cs, sn = np.cos(ang), np.sin(ang)
    y = q[:, 1] * cs + q[:, 2] * sn
    z = -q[:, 1] * sn + q[:, 2] * cs
    return np.stack([P[:, 0], y + c[1], z + c[2]], 1)


def _lid(f: _Fields, sgn: int, upper_scale: float, lower_scale: float, push: float = 0.0) -> np.ndarray:
    """Rotate the lids of one eye about its centre: upper lid by upper_scale * its rest opening
    (negative closes), lower by lower_scale * its rest opening (negative raises it)."""
    c = f.El if sgn > 0 else f.Er
    sel = (f.eye_side == sgn) & f.skin
    rot = f.lid_rot
    ang = np.where(rot > 0, rot * upper_scale, -rot * lower_scale) * sel
    mv = ang != 0
    d = np.zeros_like(f.P)
    d[mv] = _rotate_x(f.P[mv], c, ang[mv]) - f.P[mv]  # exact zeros elsewhere
    if push:
        # push the closing upper lid slightly outward so it rests over the lower lid
        q = f.P - c
        n = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-9)
        k = np.clip(rot / max(rot.max(), 1e-9), 0, 1) * sel * (rot > 0)
        d += n * (push * k)[:, None]
    return d


def expression_basis(mesh: HeadMesh) -> np.ndarray:
    """[N,3,50] deltas in meters, in the order of components.EXPRESSION_NAMES."""
    f = _Fields(mesh)
    cfg_ratio = None
    rot = f.lid_rot
    up_max = rot.max()
    lo_max = -rot.min()
    cfg_ratio = lo_max / up_max
    D: dict[str, np.ndarray] = {}
    Z = np.zeros((f.N, 3))
    cheek_c = (abs(f.El[0]) + 0.006, f.El[1] - 0.030, f.El[2] - 0.002)
    brow_y = f.El[1] + 0.022

    # --- speech articulation
    D["lip_close"] = f.vec(f.up * f.L, dy=-0.0030, dz=0.0003) + f.vec(f.lo * f.L, dy=0.0045, dz=-0.0020)
    press = f.vec(f.up * f.L, dy=-0.0008, dz=-0.0012) + f.vec(f.lo * f.L, dy=0.0012, dz=-0.0015)
    # thin the vermilion: pull band vertices toward the seam
    thin = np.zeros((f.N, 3))
    thin[:, 1] = -0.22 * f.dy * f.Mlips * (f.au < 1.3)
    D["lip_press"] = press + thin + f.vec(f.Mlips, dz=-0.0008)
    rnd = np.zeros((f.N, 3))
    rnd[:, 0] = -0.40 * (f.x - f.mc[0]) * f.M
    rnd[:, 2] = 0.0050 * f.Mlips + 0.002 * f.M
    rnd += f.vec(f.up * f.Lc, dy=0.0012) + f.vec(f.lo * f.Lc, dy=-0.0016)
    D["lip_round"] = rnd
    D["lip_protrude"] = f.vec(f.Mlips, dz=0.0060) + f.vec(f.M, dz=0.0015) + f.vec(f.up_edge * f.L, dy=0.0006) \
        + f.vec(f.lo_edge * f.L, dy=-0.0006)
    spr = np.zeros((f.N, 3))
    spr[:, 0] = 0.26 * (f.x - f.mc[0]) * f.M * smoothstep(0.0, 0.8, f.au)
    spr[:, 2] = -0.0020 * f.M * smoothstep(0.3, 1.0, f.au)
    spr[:, 1] = -0.12 * f.dy * f.Mlips
    D["lip_spread"] = spr + f.vec(f.corner(1) + f.corner(-1), dy=0.0008)
    D["upper_lip_raise"] = f.vec(f.up * f.L, dy=0.0042, dz=0.0012) + f.vec(f.M * (f.dy > 0), dy=0.0010)
    D["lower_lip_depress"] = f.vec(f.lo * f.L, dy=-0.0048, dz=0.0010) + f.vec(f.M * (f.dy < 0), dy=-0.0010)
    fun = np.zeros((f.N, 3))
    fun[:, 0] = -0.12 * (f.x - f.mc[0]) * f.M
    fun += f.vec(f.up_edge * f.L, dy=0.0022, dz=0.0030) + f.vec(f.lo_edge * f.L, dy=-0.0026, dz=0.0030)
    fun += f.vec(f.Mlips, dz=0.0020)
    D["lip_funnel"] = fun
    cu = f.corner(1, 0.013) + f.corner(-1, 0.013)
    cux = np.zeros((f.N, 3))
    cux[:, 0] = 0.0022 * (f.corner(1, 0.013) - f.corner(-1, 0.013))
    D["mouth_corners_up"] = f.vec(cu, dy=0.0050, dz=-0.0012) + cux + f.vec(f.blob(cheek_c, (0.02, 0.016, 0.03), True), dy=0.0012)
    D["cheek_raise"] = f.vec(f.blob(cheek_c, (0.020, 0.016, 0.03), True), dy=0.0040, dz=0.0016) + _lid(f, 1, 0, -0.25) + _lid(f, -1, 0, -0.25)
    D["lower_lip_tuck"] = f.vec((f.lo_edge ** 1.5) * f.L, dy=0.0012, dz=-0.0058) + f.vec(f.lo * f.L, dy=0.0010, dz=-0.0012)
    D["upper_lip_tuck"] = f.vec((f.up_edge ** 1.5) * f.L, dy=-0.0010, dz=-0.0040) + f.vec(f.up * f.L, dz=-0.0008)
    D["mouth_shift"] = f.vec(f.M, dx=0.0050)
    D["chin_raise"] = f.vec(f.blob(f.mc + np.array([0, -0.030, -0.006]), (0.020, 0.014, 0.02)), dy=0.0030, dz=0.0010) \
        + f.vec(f.lo * f.L, dy=0.0020, dz=0.0008)
    puff_c = (abs(f.mc[0]) + 0.036, f.mc[1] + 0.006, f.mc[2] - 0.028)
    puffw = f.blob(puff_c, (0.018, 0.020, 0.022), True)
    puff = np.zeros((f.N, 3))
    puff[:, 0] = 0.0060 * np.sign(f.x) * puffw
    puff[:, 2] = 0.0025 * puffw
    D["cheek_puff"] = puff
    for sgn, nm in ((1, "L"), (-1, "R")):
        c = f.corner(sgn, 0.013) * f.half(sgn)
        D[f"mouth_corner_up_{nm}"] = f.vec(c, dx=sgn * 0.0020, dy=0.0050, dz=-0.0012)
    D["lips_part_center"] = f.vec(f.up * f.Lc, dy=0.0020) + f.vec(f.lo * f.Lc, dy=-0.0028)

    # --- upper face
    def brow_mask(cx, rx, mirror=True):
        return f.blob((cx, brow_y + 0.004, f.El[2] + 0.012), (rx, 0.016, 0.03), mirror)

    forehead = f.blob((0, brow_y + 0.03, f.El[2]), (0.06, 0.03, 0.05))
    D["brow_inner_raise"] = f.vec(brow_mask(0.014, 0.014), dy=0.0050) + f.vec(forehead, dy=0.0010)
    D["brow_outer_raise"] = f.vec(brow_mask(0.046, 0.016), dy=0.0048)
    bl = brow_mask(0.024, 0.022)
    blx = np.zeros((f.N, 3))
    blx[:, 0] = -0.0022 * np.sign(f.x) * brow_mask(0.014, 0.016)
    D["brow_lower"] = f.vec(bl, dy=-0.0042, dz=0.0012) + blx
    for sgn, nm in ((1, "L"), (-1, "R")):
        D[f"brow_raise_{nm}"] = f.vec(brow_mask(0.030, 0.026) * f.half(sgn), dy=0.0050)
    D["blink_L"] = _lid(f, 1, -(1.0 + cfg_ratio + 0.10), 0.0, push=0.0005)
    D["blink_R"] = _lid(f, -1, -(1.0 + cfg_ratio + 0.10), 0.0, push=0.0005)
    for sgn, nm in ((1, "L"), (-1, "R")):
        ch = f.blob(cheek_c, (0.018, 0.012, 0.03), True) * f.half(sgn)
        D[f"squint_{nm}"] = _lid(f, sgn, -0.12, -0.60) + f.vec(ch, dy=0.0015)
        D[f"eye_wide_{nm}"] = _lid(f, sgn, 0.30, 0.10)
    nose = f.blob((0, f.El[1] - 0.020, f.El[2] + 0.03), (0.016, 0.020, 0.03))
    D["nose_wrinkle"] = f.vec(nose, dy=0.0022) + f.vec(brow_mask(0.010, 0.012), dy=-0.0015)
    ala_c = (0.011, f.mc[1] + 0.030, f.mc[2])
    ala = f.blob(ala_c, (0.008, 0.008, 0.014), True)
    alx = np.zeros((f.N, 3))
    alx[:, 0] = 0.0024 * np.sign(f.x) * ala
    D["nostril_flare"] = alx
    for sgn, nm in ((1, "L"), (-1, "R")):
        h = f.half(sgn)
        D[f"sneer_{nm}"] = f.vec(f.blob(ala_c, (0.010, 0.012, 0.016), True) * h, dy=0.0025) + \
            f.vec(f.up * f.L * h * smoothstep(0.0, 0.6, sgn * f.u), dy=0.0030)

    # --- lower face detail and asymmetry
    for sgn, nm in ((1, "L"), (-1, "R")):
        h = f.half(sgn)
        D[f"upper_lip_raise_{nm}"] = f.vec(f.up * f.L * h, dy=0.0040, dz=0.0010)
        D[f"lower_lip_depress_{nm}"] = f.vec(f.lo * f.L * h, dy=-0.0045, dz=0.0010)
        c = f.corner(sgn, 0.014) * h
        D[f"lip_stretch_{nm}"] = f.vec(c, dx=sgn * 0.0050, dy=-0.0020, dz=-0.0010)
        D[f"dimple_{nm}"] = f.vec(f.corner(sgn, 0.008) * h, dx=sgn * 0.0010, dz=-0.0030)
        lp = press * h[:, None] + thin * h[:, None]
        D[f"lip_press_{nm}"] = lp
    mass = f.blob((0.056, f.mc[1] + 0.004, f.mc[2] - 0.065), (0.012, 0.018, 0.018), True)
    mx = np.zeros((f.N, 3))
    mx[:, 0] = 0.0036 * np.sign(f.x) * mass
    D["jaw_clench"] = mx
    D["lower_lip_roll_out"] = f.vec(f.lo_edge * f.L, dy=-0.0016, dz=0.0026) + f.vec(f.lo * f.L, dz=0.0010)
    D["upper_lip_roll_out"] = f.vec(f.up_edge * f.L, dy=0.0016, dz=0.0024) + f.vec(f.up * f.L, dz=0.0008)
    nl = f.blob((abs(f.mc[0]) + f.hw + 0.006, f.mc[1] + 0.012, f.mc[2] - 0.006), (0.007, 0.014, 0.012), True)
    nlx = np.zeros((f.N, 3))
    nlx[:, 0] = 0.0008 * np.sign(f.x) * nl
    D["nasolabial_deepen"] = f.vec(nl, dy=0.0008, dz=0.0016) + nlx
    D["mouth_up"] = f.vec(f.M, dy=0.0040)
    D["mouth_forward"] = f.vec(f.M, dz=0.0040)
    throat = f.blob((0, f.mc[1] - 0.050, f.mc[2] - 0.040), (0.025, 0.022, 0.025))
    D["throat_swallow"] = f.vec(throat, dy=0.0020, dz=-0.0030)

    out = np.zeros((f.N, 3, N_EXPRESSION))
    for k, name in enumerate(EXPRESSION_NAMES):
        d = D.get(name, Z).copy()
        d[~(f.skin | (mesh.part == BAG))] = 0.0
        out[:, :, k] = _bag_follow(mesh, d)
    return out


def _bag_follow(mesh: HeadMesh, d: np.ndarray) -> np.ndarray:
    """Mouth-bag vertices copy their seam loop vertex's delta, fading with depth."""
    info = mesh.info
    bag = np.where(mesh.part == BAG)[0]
    anc = info["bag_anchor"][bag]
    depth = info["bag_depth"][bag].astype(int)
    fall = BAG_FALLOFF[np.clip(depth, 0, len(BAG_FALLOFF) - 1)]
    d = d.copy()
    d[bag] = np.where((anc >= 0)[:, None], d[np.maximum(anc, 0)] * fall[:, None], 0.0)
    return d
