#import "Common/ShaderLib/GLSLCompat.glsllib"
#import "Common/ShaderLib/Skinning.glsllib"
#import "Parley/ShaderLib/Morph.glsllib"

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

varying vec3 vViewPos;
varying vec3 vViewNormal;
varying vec4 vColor;
varying float vGloss;

void main() {
    vec4 position = vec4(inPosition, 1.0);
    vec3 normal = inNormal;
#ifdef MORPH_TARGETS
    Morph_Compute(position, normal);
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
