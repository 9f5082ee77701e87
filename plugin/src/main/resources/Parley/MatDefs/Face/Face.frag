#import "Common/ShaderLib/GLSLCompat.glsllib"

// jME single-pass light data, 3 vec4 per light, in view space:
// [0] colour.rgb, type (0 directional, 1 point, 2 spot); [1] direction or position, w = inverse radius;
// [2] spot direction, w = packed inner/outer cone cosines.
uniform vec4 g_LightData[NB_LIGHTS];
uniform vec4 g_AmbientLightColor;
uniform vec4 m_BaseColor;
uniform float m_Wrap;

varying vec3 vViewPos;
varying vec3 vViewNormal;
varying vec4 vColor;
varying float vGloss;

void main() {
    vec3 n = normalize(vViewNormal);
    vec3 v = normalize(-vViewPos);
    vec3 albedo = vColor.rgb * m_BaseColor.rgb;
    vec3 color = albedo * g_AmbientLightColor.rgb;
    float shininess = mix(8.0, 96.0, vGloss);
    float specular = mix(0.03, 0.6, vGloss);
    for (int i = 0; i < NB_LIGHTS; i += 3) {
        vec4 lightColor = g_LightData[i];
        vec4 lightData = g_LightData[i + 1];
        vec3 l;
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
                float cosAngle = dot(-l, normalize(spot.xyz));
                attenuation *= clamp((cosAngle - outer) / max(inner - outer, 1e-4), 0.0, 1.0);
            }
        }
        l = normalize(l);
        float ndl = dot(n, l);
        float diffuse = max((ndl + m_Wrap) / (1.0 + m_Wrap), 0.0);
        float spec = ndl > 0.0 ? specular * pow(max(dot(n, normalize(l + v)), 0.0), shininess) : 0.0;
        color += lightColor.rgb * attenuation * (albedo * diffuse + vec3(spec));
    }
    gl_FragColor = vec4(color, 1.0);
}
