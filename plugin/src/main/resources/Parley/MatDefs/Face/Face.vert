#import "Common/ShaderLib/GLSLCompat.glsllib"
#import "Common/ShaderLib/Skinning.glsllib"

uniform mat4 g_WorldViewProjectionMatrix;
uniform mat4 g_WorldViewMatrix;
uniform mat3 g_NormalMatrix;

attribute vec3 inPosition;
attribute vec3 inNormal;
#ifdef VERTEX_COLOR
attribute vec4 inColor;
#endif
#ifdef GLOSS_TEXCOORD2
attribute vec2 inTexCoord2;
#else
uniform float m_Gloss;
#endif

#ifdef MORPH_TARGETS
// Texel 2*(target*vertexCount + vertex) holds the position delta, the next one the normal delta.
uniform sampler2D m_ParleyMorphDeltas;
uniform float m_ParleyMorphWeights[MORPH_TARGETS];
uniform int m_ParleyMorphVertexCount;

vec3 morphDelta(int texel, int width) {
    return texelFetch(m_ParleyMorphDeltas, ivec2(texel % width, texel / width), 0).xyz;
}
#endif

varying vec3 vViewPos;
varying vec3 vViewNormal;
varying vec4 vColor;
varying float vGloss;

void main() {
    vec4 position = vec4(inPosition, 1.0);
    vec3 normal = inNormal;
#ifdef MORPH_TARGETS
    int width = textureSize(m_ParleyMorphDeltas, 0).x;
    for (int t = 0; t < MORPH_TARGETS; t++) {
        float w = m_ParleyMorphWeights[t];
        if (w != 0.0) {
            int texel = 2 * (t * m_ParleyMorphVertexCount + gl_VertexID);
            position.xyz += w * morphDelta(texel, width);
            normal += w * morphDelta(texel + 1, width);
        }
    }
#endif
#ifdef NUM_BONES
    Skinning_Compute(position, normal);
#endif
    vViewPos = (g_WorldViewMatrix * position).xyz;
    vViewNormal = g_NormalMatrix * normal;
#ifdef VERTEX_COLOR
    vColor = inColor;
#else
    vColor = vec4(1.0);
#endif
#ifdef GLOSS_TEXCOORD2
    vGloss = inTexCoord2.x;
#else
    vGloss = m_Gloss;
#endif
    gl_Position = g_WorldViewProjectionMatrix * position;
}
