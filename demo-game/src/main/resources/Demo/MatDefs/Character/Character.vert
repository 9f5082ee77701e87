#import "Common/ShaderLib/GLSLCompat.glsllib"
#import "Common/ShaderLib/Skinning.glsllib"
#import "Parley/ShaderLib/Morph.glsllib"

uniform mat4 g_WorldViewProjectionMatrix;
uniform mat4 g_WorldViewMatrix;
uniform mat4 g_WorldMatrix;
uniform mat3 g_NormalMatrix;

attribute vec3 inPosition;
attribute vec3 inNormal;
attribute vec4 inTangent;
// Per vertex: part code and eye-local direction (Grooming writes it): x part (0 skin, 1 mouth, 2 teeth,
// 3 eye, 4 stubble skin), yz the eye-local direction from the eyeball's centre (pole +Z) for eyes.
attribute vec3 inTexCoord3;
attribute vec2 inTexCoord;
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
varying vec3 vWorldNormal;
varying vec4 vColor;
varying float vGloss;
varying vec3 vBindPos;
varying vec3 vPart;
varying vec3 vViewTangent;
varying vec3 vBindTangent;
varying vec2 vShell;

void main() {
    vec4 position = vec4(inPosition, 1.0);
    vec3 normal = inNormal;
    vBindPos = inPosition;
#ifdef HAIR
    // the shell's base point on the scalp: strands keep their place as the shell rides the rig
    vBindPos = inTexCoord3;
    vec3 tangent = inTangent.xyz;
    vBindTangent = tangent;
    vShell = inTexCoord;
#endif
#ifdef MORPH_TARGETS
    Morph_Compute(position, normal);
#endif
#ifdef NUM_BONES
  #ifdef HAIR
    Skinning_Compute(position, normal, tangent);
  #else
    Skinning_Compute(position, normal);
  #endif
#endif
    vViewPos = (g_WorldViewMatrix * position).xyz;
    vViewNormal = g_NormalMatrix * normal;
    vWorldNormal = (g_WorldMatrix * vec4(normal, 0.0)).xyz;
#ifdef HAIR
    vViewTangent = g_NormalMatrix * tangent;
    vPart = vec3(0.0);
#else
    vViewTangent = vec3(0.0);
    vBindTangent = vec3(0.0);
    vShell = vec2(0.0);
    vPart = inTexCoord3;
#endif
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
