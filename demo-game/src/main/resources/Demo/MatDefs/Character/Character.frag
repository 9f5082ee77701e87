#import "Common/ShaderLib/GLSLCompat.glsllib"

// jME single-pass light data, 3 vec4 per light, in view space (see Parley's Face.frag).
uniform vec4 g_LightData[NB_LIGHTS];
uniform vec4 g_AmbientLightColor;
uniform mat4 g_ViewMatrix;
uniform vec4 m_SkinTint;
uniform float m_Age;
uniform vec4 m_IrisColor;
#ifdef BROWS
uniform vec3 m_BrowL;
uniform float m_EyeRadius;
uniform vec4 m_BrowColor;

#endif
uniform vec4 m_Sky;
uniform vec4 m_Ground;
#ifdef HAIR
uniform vec4 m_HairColor;
uniform float m_StrandScale;
#endif

varying vec3 vViewPos;
varying vec3 vViewNormal;
varying vec3 vWorldNormal;
varying vec4 vColor;
varying float vGloss;
varying vec3 vBindPos;
varying vec3 vPart;
varying vec3 vViewTangent;
varying vec3 vBindTangent;
varying vec2 vShell;

float hash(vec3 p) {
    p = fract(p * 0.3183099 + vec3(0.11, 0.17, 0.13));
    p *= 17.0;
    return fract(p.x * p.y * p.z * (p.x + p.y + p.z));
}

float noise(vec3 x) {
    vec3 i = floor(x);
    vec3 f = fract(x);
    f = f * f * (3.0 - 2.0 * f);
    return mix(mix(mix(hash(i), hash(i + vec3(1, 0, 0)), f.x), mix(hash(i + vec3(0, 1, 0)),
            hash(i + vec3(1, 1, 0)), f.x), f.y), mix(mix(hash(i + vec3(0, 0, 1)), hash(i + vec3(1, 0, 1)), f.x),
            mix(hash(i + vec3(0, 1, 1)), hash(i + vec3(1, 1, 1)), f.x), f.y), f.z);
}

// Light i's unit direction toward the light and its attenuated colour.
vec3 lightAt(int i, out vec3 l) {
    vec4 lightColor = g_LightData[i];
    vec4 lightData = g_LightData[i + 1];
    float attenuation = 1.0;
    if (lightColor.w == 0.0) {
        l = -lightData.xyz;
    } else {
        vec3 d = lightData.xyz - vViewPos;
        float dist = length(d);
        l = d / max(dist, 1e-5);
        attenuation = clamp(1.0 - lightData.w * dist, 0.0, 1.0);
        if (lightColor.w == 2.0) {
            vec4 spot = g_LightData[i + 2];
            float inner = floor(spot.w) * 0.001;
            float outer = fract(spot.w);
            attenuation *= clamp((dot(-l, normalize(spot.xyz)) - outer) / max(inner - outer, 1e-4), 0.0, 1.0);
        }
    }
    l = normalize(l);
    return lightColor.rgb * attenuation;
}

vec3 ambient(vec3 worldNormal) {
    float up = 0.5 + 0.5 * normalize(worldNormal).y;
    return max(g_AmbientLightColor.rgb, mix(m_Ground.rgb, m_Sky.rgb, up));
}

// The faces are exposed for the lights they get: a rig much brighter than the examples' (a 1.6 sun, fill lights and
// ambient, as in the PBR courtyard, where the PBR materials see less of it) would wash skin out to white.
float exposure() {
    float total = dot(g_AmbientLightColor.rgb, vec3(0.3, 0.59, 0.11));
    for (int i = 0; i < NB_LIGHTS; i += 3) {
        total += dot(g_LightData[i].rgb, vec3(0.3, 0.59, 0.11));
    }
    return 1.45 / max(1.45, total);
}

// A soft shoulder above 0.75: bright suns (the PBR courtyard's is 1.6) roll off instead of clipping skin to white.
vec3 shoulder(vec3 c) {
    vec3 over = max(c - 0.75, 0.0);
    return min(c, vec3(0.75)) + 0.35 * (1.0 - exp(-over / 0.35));
}

// Bump from a height field over the bind-pose surface, through screen-space derivatives (no tangents needed).
vec3 bump(vec3 n, float height, float strength) {
    vec3 dpx = dFdx(vViewPos);
    vec3 dpy = dFdy(vViewPos);
    float dhx = dFdx(height);
    float dhy = dFdy(height);
    vec3 r1 = cross(dpy, n);
    vec3 r2 = cross(n, dpx);
    float det = dot(dpx, r1);
    vec3 grad = sign(det) * (dhx * r1 + dhy * r2);
    return normalize(abs(det) * n - strength * grad);
}

#ifdef BROWS
// Brow coverage at a bind-pose point: an arch over each eye, thick inside, tapering outside, in hairs.
float brow(vec3 p) {
    float d = abs(p.x) - abs(m_BrowL.x);
    float along = (d + 0.003) / 0.022;
    float y = m_BrowL.y + 0.019 - 9.0 * d * d + 0.002 * (1.0 - along);
    float halfH = 0.0032 * (1.0 - 0.55 * clamp(along, 0.0, 1.0)) * (1.0 - 0.3 * clamp(-along * 2.0, 0.0, 1.0));
    float shape = smoothstep(halfH, halfH * 0.55, abs(p.y - y)) * smoothstep(1.15, 0.9, abs(along - 0.1))
            * step(m_BrowL.z - 0.025, p.z);
    // hairs: fine across, long along the brow (outward and a little up)
    vec2 q = vec2(p.y - 0.35 * d * sign(p.x), abs(p.x));
    float hairs = noise(vec3(q.x * 5200.0, q.y * 900.0, p.z * 2000.0));
    return shape * smoothstep(0.3, 0.6, hairs + 0.25 * shape);
}
#endif

#ifdef HAIR
void main() {
    vec3 t = normalize(vViewTangent);
    vec3 p = vBindPos;
    // strands: fine across the flow, long along it (the flow in bind space)
    vec3 tb = normalize(vBindTangent);
    float along = dot(p, tb);
    vec3 q = (p - tb * along) * m_StrandScale + tb * (along * m_StrandScale * 0.08);
    float strand = noise(q) * 0.65 + noise(q * 2.3) * 0.35;
    // strands finer than a pixel would shimmer as the head moves: there a dither fixed to the screen gives the
    // same coverage, steady from frame to frame
    float blur = clamp(length(fwidth(q)) * 0.5 - 0.75, 0.0, 1.0);
    float dither = fract(dot(floor(gl_FragCoord.xy), vec2(0.7548777, 0.5698403)));
    strand = mix(strand, 0.15 + 0.8 * dither, blur);
    float height = vShell.x;
    float mask = clamp(vShell.y * 1.4, 0.0, 1.0);
    // the base layer covers the scalp inside the hairline; higher layers keep fewer, thinner strands
    if (height == 0.0 ? mask + 0.6 * (strand - 0.5) < 0.5 : strand * (0.6 + 0.4 * mask) < 0.3 + 0.6 * height) {
        discard;
    }
    // sheets (the long hair's back) are seen from both sides
    vec3 n = normalize(gl_FrontFacing ? vViewNormal : -vViewNormal);
    vec3 v = normalize(-vViewPos);
    float shade = mix(0.45, 1.0, height) * mix(0.8, 1.15, strand);
    vec3 base = m_HairColor.rgb * shade;
    vec3 color = base * ambient(vWorldNormal);
    for (int i = 0; i < NB_LIGHTS; i += 3) {
        vec3 l;
        vec3 c = lightAt(i, l);
        float diffuse = max(0.25 + 0.75 * dot(n, l), 0.0);
        // Kajiya-Kay: highlights across the strands, a second one shifted and tinted by the hair colour
        vec3 h = normalize(l + v);
        float th = dot(t, h);
        float s1 = pow(sqrt(max(1.0 - th * th, 0.0)), 80.0);
        float th2 = dot(normalize(t + 0.25 * n), h);
        float s2 = pow(sqrt(max(1.0 - th2 * th2, 0.0)), 24.0);
        color += c * (base * diffuse + (0.12 * s1 + 0.25 * s2 * m_HairColor.rgb) * smoothstep(-0.1, 0.3, dot(n, l)));
    }
    gl_FragColor = vec4(shoulder(color * exposure()), 1.0);
}
#else
void main() {
    vec3 n = normalize(vViewNormal);
    vec3 v = normalize(-vViewPos);
    int part = int(vPart.x + 0.5);
    vec3 albedo = vColor.rgb;
    vec3 p = vBindPos;
    float wrapR = 0.0;
    float wrapGB = 0.0;
    float specular = mix(0.03, 0.6, vGloss);
    float shininess = mix(8.0, 96.0, vGloss);
    if (part == 0 || part == 4) {
        albedo *= m_SkinTint.rgb;
        // blotches and freckles, stronger with age; fine mottling everywhere
        float blotch = noise(p * 90.0) * 0.6 + noise(p * 260.0) * 0.4;
        albedo *= 1.0 + (0.05 + 0.12 * m_Age) * (blotch - 0.5) * vec3(0.8, 1.1, 1.2);
        float mottle = noise(p * 900.0);
        albedo *= 0.97 + 0.06 * mottle;
        if (part == 4) {
            // shaved beard: dark dots of stubble
            float dots = smoothstep(0.55, 0.8, noise(p * 2600.0));
            albedo = mix(albedo * 0.82, albedo * 0.45, dots);
        }
#ifdef BROWS
        float b = brow(p);
        albedo = mix(albedo, m_BrowColor.rgb, 0.9 * b);
#else
        float b = 0.0;
#endif
        float pores = noise(p * 2200.0) * 0.6 + noise(p * 5200.0) * 0.4;
        float wrinkles = m_Age * noise(vec3(p.x * 300.0, p.y * 2400.0, p.z * 300.0));
        n = bump(n, (pores * (0.00005 + 0.00004 * m_Age) + wrinkles * 0.00012 + b * 0.0002), 1.0);
        wrapR = 0.55;
        wrapGB = 0.30;
        specular = mix(0.06, 0.5, vGloss) * (0.7 + 0.6 * pores);
        shininess = mix(18.0, 90.0, vGloss);
    } else if (part == 3) {
        // eye: the eye-local direction gives iris, pupil and limbus; the top is shadowed by the lid
        vec2 d = vPart.yz;
        float r = length(d);
        float iris = 1.0 - smoothstep(0.40, 0.43, r);
        float pupil = 1.0 - smoothstep(0.15, 0.17, r);
        float fibres = noise(vec3(atan(d.y, d.x) * 18.0, r * 30.0, 0.0));
        vec3 irisColor = m_IrisColor.rgb * (0.6 + 0.7 * fibres) * mix(1.25, 0.55, smoothstep(0.2, 0.42, r));
        vec3 sclera = vec3(0.86, 0.83, 0.80) * mix(1.0, 0.75, smoothstep(0.55, 0.95, r));
        albedo = mix(sclera, irisColor, iris);
        albedo = mix(albedo, vec3(0.02), pupil);
        albedo *= 1.0 - 0.55 * smoothstep(0.05, 0.55, d.y);
        specular = 1.2;
        shininess = 400.0;
    } else if (part == 1) {
        // mouth: darker deeper, moist
        specular = 0.25;
    }
    vec3 color = albedo * ambient(vWorldNormal);
    for (int i = 0; i < NB_LIGHTS; i += 3) {
        vec3 l;
        vec3 c = lightAt(i, l);
        float ndl = dot(n, l);
        // red light scatters further under the skin: it wraps past the terminator more than green and blue
        vec3 diffuse = vec3(max((ndl + wrapR) / (1.0 + wrapR), 0.0), vec2(max((ndl + wrapGB) / (1.0 + wrapGB), 0.0)));
        diffuse *= mix(vec3(1.0), vec3(1.0, 0.85, 0.8), (1.0 - clamp(ndl * 2.0, 0.0, 1.0)) * step(0.01, wrapR));
        vec3 h = normalize(l + v);
        float fresnel = 0.04 + 0.96 * pow(1.0 - max(dot(h, v), 0.0), 5.0);
        float spec = ndl > 0.0 ? specular * (0.5 + fresnel) * pow(max(dot(n, h), 0.0), shininess) : 0.0;
        color += c * (albedo * diffuse + vec3(spec));
    }
    gl_FragColor = vec4(shoulder(color * exposure()), 1.0);
}
#endif
