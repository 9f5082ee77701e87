package dev.parley.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.anim.SkinningControl;
import com.jme3.asset.AssetManager;
import com.jme3.material.Material;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.util.BufferUtils;
import dev.parley.head.HeadSpec;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A villager's grooming and skin on the open head, made by code when the head is built: hair and beard as shells
 * (layers of the skin offset along its normals, strands cut per pixel, Kajiya-Kay shading), a bun, eyelashes as a
 * fringe on the upper lid's rim, and the demo's character material (procedural skin detail, eyebrows painted in the
 * skin's bind pose, iris and pupil, lid shadow). Every added vertex copies the morph deltas and joint weights of the
 * skin vertex it stands on, so the grooming rides the same rig: lashes blink and beards move with speech; painted
 * brows move with the skin under them. Built from the shaped head, so it follows the villager's face ({@code beta}).
 *
 * @param hair {@code none}, {@code short}, {@code long}, {@code bun} or {@code receding}
 * @param beard {@code none}, {@code stubble}, {@code full} or {@code moustache}
 * @param hairColor the hair's colour (not null)
 * @param skinTint a tint over the head's skin colour (not null)
 * @param irisColor the eyes' colour (not null)
 * @param age 0 (young) to 1 (old): blotches, wrinkles, greyer brows
 */
public record Grooming(String hair, String beard, ColorRGBA hairColor, ColorRGBA skinTint, ColorRGBA irisColor,
        float age) {

    /** The material definition of faces and hair. */
    public static final String MATERIAL_DEF = "Demo/MatDefs/Character/Character.j3md";
    /** The material definition of hair, brows and lashes (morphed on the CPU). */
    public static final String HAIR_DEF = "Demo/MatDefs/Character/Hair.j3md";
    /** The hair styles. */
    public static final List<String> HAIR = List.of("none", "short", "long", "bun", "receding");
    /** The beard styles. */
    public static final List<String> BEARDS = List.of("none", "stubble", "full", "moustache");
    /** No hair, no beard, the head's own skin: the look of a character file without grooming. */
    public static final Grooming NONE = new Grooming("none", "none", new ColorRGBA(0.2f, 0.13f, 0.08f, 1f),
            ColorRGBA.White, new ColorRGBA(0.3f, 0.45f, 0.4f, 1f), 0.2f);

    private static final int CURTAIN_COLUMNS = 24;
    private static final float CURTAIN_SPAN = 3.3f;
    private static final int PART_SKIN = 0;
    private static final int PART_MOUTH = 1;
    private static final int PART_TEETH = 2;
    private static final int PART_EYE = 3;
    private static final int PART_STUBBLE = 4;
    /** How far behind the skin the eye sockets stay (m): the skin moves a little over the rigid sockets. */
    private static final float SOCKET_DEPTH = 0.003f;

    /** Validates the fields. */
    public Grooming {
        if (!HAIR.contains(hair)) {
            throw new IllegalArgumentException("grooming.hair: expected one of " + HAIR + " but got '" + hair + "'");
        }
        if (!BEARDS.contains(beard)) {
            throw new IllegalArgumentException("grooming.beard: expected one of " + BEARDS + " but got '" + beard
                    + "'");
        }
        Validate.nonNull(hairColor, "hairColor");
        Validate.nonNull(skinTint, "skinTint");
        Validate.nonNull(irisColor, "irisColor");
        if (!(age >= 0f && age <= 1f)) {
            throw new IllegalArgumentException("grooming.age: expected 0 to 1 but got " + age);
        }
    }

    /**
     * Reads the optional {@code "grooming"} object of a character file.
     *
     * @param node the object, or null for {@link #NONE}
     * @return the grooming (not null)
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static Grooming read(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("grooming: expected an object but got " + node);
        }
        return new Grooming(node.path("hair").asText(NONE.hair), node.path("beard").asText(NONE.beard),
                color(node, "hairColor", NONE.hairColor), color(node, "skinTint", NONE.skinTint),
                color(node, "irisColor", NONE.irisColor), (float) node.path("age").asDouble(NONE.age));
    }

    /**
     * Writes this grooming into a character file's object.
     *
     * @param into the object to fill (not null, modified)
     */
    public void write(ObjectNode into) {
        into.put("hair", hair).put("beard", beard).put("age", age);
        for (String field : List.of("hairColor", "skinTint", "irisColor")) {
            ColorRGBA c = "hairColor".equals(field) ? hairColor : "skinTint".equals(field) ? skinTint : irisColor;
            into.putArray(field).add(c.r).add(c.g).add(c.b);
        }
    }

    private static ColorRGBA color(JsonNode node, String field, ColorRGBA fallback) {
        JsonNode a = node.get(field);
        if (a == null) {
            return fallback;
        }
        if (!a.isArray() || a.size() != 3 || !a.get(0).isNumber() || !a.get(1).isNumber() || !a.get(2).isNumber()) {
            throw new IllegalArgumentException("grooming." + field + ": expected [r, g, b] but got " + a);
        }
        return new ColorRGBA((float) a.get(0).asDouble(), (float) a.get(1).asDouble(), (float) a.get(2).asDouble(),
                1f);
    }

    /**
     * Dresses a shaped, unbound open head: its material, and the grooming geometries beside its mesh. Call it after
     * {@code HeadShape.apply} and before the head is attached to Parley (the rig binds every geometry with morph
     * targets).
     *
     * @param head the loaded head (not null; modified)
     * @param spec the open head's spec (not null)
     * @param assetManager loads the material (not null)
     * @return the grooming geometries added (not null)
     */
    public List<Geometry> apply(Spatial head, HeadSpec spec, AssetManager assetManager) {
        Validate.nonNull(head, "head");
        Validate.nonNull(spec, "spec");
        Validate.nonNull(assetManager, "assetManager");
        Geometry skin = baseGeometry(head, spec);
        Face face = new Face(skin.getMesh(), spec);
        float[] beardMask = face.beardMask(beard);
        skin.getMesh().setBuffer(VertexBuffer.Type.TexCoord3, 3, face.parts(spec, beardMask, "stubble".equals(beard)));
        Material skinMaterial = material(assetManager, false, null);
        skinMaterial.setVector3("BrowL", face.eyeL);
        skinMaterial.setFloat("EyeRadius", face.eyeRadius);
        skin.setMaterial(skinMaterial);
        List<Geometry> added = new ArrayList<>();
        float grey = age > 0.6f ? 0.35f : 0f;
        skinMaterial.setColor("BrowColor",
                hairColor.mult(0.7f).interpolateLocal(new ColorRGBA(0.45f, 0.43f, 0.4f, 1f), grey));
        if (!"none".equals(hair)) {
            added.add(face.shells("Hair", face.hairMask(hair), hair.equals("long") ? 0.015f : 0.009f, 12,
                    face.flowFromCrown(), material(assetManager, true, hairColor), 1200f));
            if ("bun".equals(hair)) {
                added.add(face.bun(material(assetManager, true, hairColor)));
            } else if ("long".equals(hair)) {
                added.add(face.curtain(material(assetManager, true, hairColor)));
            }
        }
        if ("full".equals(beard) || "moustache".equals(beard)) {
            added.add(face.shells("Beard", beardMask, "full".equals(beard) ? 0.007f : 0.004f, 8, face.flowDown(),
                    material(assetManager, true, hairColor.mult(0.9f)), 1800f));
        }
        added.add(face.lashes(material(assetManager, true, new ColorRGBA(0.05f, 0.04f, 0.035f, 1f))));
        added.add(face.sockets(material(assetManager, true, new ColorRGBA(0.42f, 0.2f, 0.18f, 1f))));
        Node parent = skin.getParent();
        for (Geometry g : added) {
            parent.attachChild(g);
        }
        rebindSkinning(head);
        return added;
    }

    private Material material(AssetManager assetManager, boolean isHair, ColorRGBA color) {
        Material m = new Material(assetManager, isHair ? HAIR_DEF : MATERIAL_DEF);
        if (isHair) {
            m.setBoolean("Hair", true);
            m.setColor("HairColor", color);
        } else {
            m.setBoolean("UseVertexColor", true);
            m.setBoolean("UseGlossFromTexCoord2", true);
            m.setColor("SkinTint", skinTint);
            m.setColor("IrisColor", irisColor);
            m.setFloat("Age", age);
        }
        return m;
    }

    /**
     * @param head a loaded open head (not null, unaffected)
     * @param spec its spec (not null)
     * @return the head's own mesh (the one with the spec's vertex count)
     */
    static Geometry baseGeometry(Spatial head, HeadSpec spec) {
        Geometry[] found = {null};
        head.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getVertexCount() == spec.vertexCount()) {
                found[0] = g;
            }
        });
        if (found[0] == null) {
            throw new IllegalArgumentException("head '" + head.getName() + "' has no mesh of " + spec.vertexCount()
                    + " vertices (the open head's)");
        }
        return found[0];
    }

    /** The skinning control sees geometries added after the model was loaded only when it is set again. */
    private static void rebindSkinning(Spatial head) {
        head.depthFirstTraversal(s -> {
            SkinningControl sc = s.getControl(SkinningControl.class);
            if (sc != null) {
                s.removeControl(sc);
                s.addControl(sc);
            }
        });
    }

    /** The shaped head's bind pose and the landmarks grooming is placed by. */
    private static final class Face {
        private final Mesh mesh;
        private final int n;
        private final float[] p;
        private final float[] nrm;
        private final boolean[] isSkin;
        private final Vector3f eyeL;
        private final Vector3f eyeR;
        private final float eyeRadius;
        private final Vector3f mouth;
        private final float top;
        private final float earZ;
        private final boolean[] lips;
        private final int[] upperLids;

        Face(Mesh mesh, HeadSpec spec) {
            this.mesh = mesh;
            n = mesh.getVertexCount();
            p = floats(mesh.getBuffer(VertexBuffer.Type.Position));
            nrm = floats(mesh.getBuffer(VertexBuffer.Type.Normal));
            isSkin = new boolean[n];
            Arrays.fill(isSkin, true);
            for (String r : List.of("eyeL", "eyeR", "mouthInterior", "teeth")) {
                for (int v : spec.region(r)) {
                    isSkin[v] = false;
                }
            }
            float[] l = box(spec.region("eyeL"));
            float[] r = box(spec.region("eyeR"));
            eyeRadius = 0.5f * (l[3] - l[0]);
            eyeL = new Vector3f(0.5f * (l[0] + l[3]), 0.5f * (l[1] + l[4]), l[2] + eyeRadius);
            eyeR = new Vector3f(0.5f * (r[0] + r[3]), 0.5f * (r[1] + r[4]), r[2] + eyeRadius);
            float[] m = box(spec.region("lips"));
            lips = new boolean[n];
            for (int v : spec.region("lips")) {
                lips[v] = true;
            }
            mouth = new Vector3f(0.5f * (m[0] + m[3]), 0.5f * (m[1] + m[4]), m[5]);
            float t = -Float.MAX_VALUE;
            for (int v = 0; v < n; v++) {
                t = isSkin[v] ? Math.max(t, p[3 * v + 1]) : t;
            }
            top = t;
            earZ = eyeL.z - 0.075f;
            upperLids = concat(spec.region("lidUpperL"), spec.region("lidUpperR"));
        }

        private static int[] concat(int[] a, int[] b) {
            int[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private float[] box(int[] ids) {
            float[] b = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE,
                -Float.MAX_VALUE};
            for (int v : ids) {
                for (int k = 0; k < 3; k++) {
                    b[k] = Math.min(b[k], p[3 * v + k]);
                    b[3 + k] = Math.max(b[3 + k], p[3 * v + k]);
                }
            }
            return b;
        }

        /** Part codes and eye-local directions (TexCoord3) for the character material. */
        FloatBuffer parts(HeadSpec spec, float[] beard, boolean stubble) {
            float[] out = new float[3 * n];
            for (int v = 0; v < n; v++) {
                out[3 * v] = stubble && beard[v] > 0.5f ? PART_STUBBLE : PART_SKIN;
            }
            for (int v : spec.region("mouthInterior")) {
                out[3 * v] = PART_MOUTH;
            }
            for (int v : spec.region("teeth")) {
                out[3 * v] = PART_TEETH;
            }
            for (String r : List.of("eyeL", "eyeR")) {
                Vector3f c = "eyeL".equals(r) ? eyeL : eyeR;
                for (int v : spec.region(r)) {
                    out[3 * v] = PART_EYE;
                    out[3 * v + 1] = (p[3 * v] - c.x) / eyeRadius;
                    out[3 * v + 2] = (p[3 * v + 1] - c.y) / eyeRadius;
                }
            }
            return BufferUtils.createFloatBuffer(out);
        }

        /** A field over the skin's bind pose: 0 off the skin. */
        private float[] overSkin(Field field) {
            float[] out = new float[n];
            for (int v = 0; v < n; v++) {
                out[v] = isSkin[v] ? field.at(v, p[3 * v], p[3 * v + 1], p[3 * v + 2]) : 0f;
            }
            return out;
        }

        float[] hairMask(String style) {
            float front = eyeL.y + ("receding".equals(style) ? 0.068f : 0.050f);
            float back = "long".equals(style) || "bun".equals(style) ? mouth.y - 0.075f : eyeL.y - 0.050f;
            return overSkin((v, x, y, z) -> {
                // the hairline: high over the forehead, over the ears at the sides, low at the nape
                float toFront = smooth(earZ - 0.01f, eyeL.z - 0.005f, z);
                float line = back + (front - back) * toFront;
                float temple = smooth(0.045f, 0.062f, Math.abs(x)) * smooth(earZ - 0.02f, earZ + 0.04f, z);
                line += temple * (eyeL.y + 0.018f - back) * (1f - toFront);
                float m = smooth(line - 0.004f, line + 0.006f, y);
                // the ears stay bare
                float ex = (Math.abs(x) - 0.072f) / 0.02f;
                float ey = (y - eyeL.y + 0.012f) / 0.036f;
                float ez = (z - earZ - 0.06f) / 0.026f;
                float ear = ex * ex + ey * ey + ez * ez;
                if (!"long".equals(style)) {
                    m *= smooth(0.8f, 1.3f, ear);
                }
                if ("receding".equals(style)) {
                    m *= 1f - 0.9f * smooth(top - 0.05f, top - 0.025f, y) * smooth(earZ + 0.02f, earZ + 0.06f, z);
                }
                return m;
            });
        }

        float[] beardMask(String style) {
            if ("none".equals(style)) {
                return new float[n];
            }
            boolean moustache = "moustache".equals(style);
            return overSkin((v, x, y, z) -> {
                float ax = Math.abs(x);
                float m;
                if (moustache) {
                    float dy = y - (mouth.y + 0.008f);
                    m = smooth(0.006f, 0.002f, Math.abs(dy)) * smooth(0.034f, 0.026f, ax) * smooth(mouth.z - 0.03f,
                            mouth.z - 0.015f, z);
                } else {
                    m = smooth(eyeL.y - 0.030f, eyeL.y - 0.045f, y) * smooth(earZ + 0.035f, earZ + 0.055f, z)
                            * smooth(mouth.y - 0.058f, mouth.y - 0.04f, y);
                    m *= 1f - smooth(0.014f, 0.008f, ax) * smooth(mouth.y + 0.002f, mouth.y + 0.01f, y)
                            * (1f - smooth(mouth.y + 0.01f, mouth.y + 0.016f, y)) * 0.6f;
                }
                // the lips' red stays bare
                boolean red = lips[v] && Math.abs(y - mouth.y) < 0.0095f && ax < 0.027f;
                return red ? 0f : m;
            });
        }

        /** Flow directions (per vertex, model space) from the crown outward and down. */
        float[] flowFromCrown() {
            Vector3f crown = new Vector3f(0f, top - 0.02f, earZ + 0.045f);
            return flow(v -> new Vector3f(p[3 * v], p[3 * v + 1], p[3 * v + 2]).subtractLocal(crown)
                    .addLocal(0f, -0.05f, 0f));
        }

        float[] flowDown() {
            return flow(v -> new Vector3f(0f, -1f, 0.2f));
        }

        private float[] flow(java.util.function.IntFunction<Vector3f> dir) {
            float[] out = new float[4 * n];
            for (int v = 0; v < n; v++) {
                Vector3f nn = new Vector3f(nrm[3 * v], nrm[3 * v + 1], nrm[3 * v + 2]);
                Vector3f t = dir.apply(v);
                t.subtractLocal(nn.mult(t.dot(nn)));
                if (t.lengthSquared() < 1e-12f) {
                    t.set(0f, -1f, 0f);
                }
                t.normalizeLocal();
                out[4 * v] = t.x;
                out[4 * v + 1] = t.y;
                out[4 * v + 2] = t.z;
                out[4 * v + 3] = 1f;
            }
            return out;
        }

        /**
         * Shells over the skin triangles the mask touches: layer k sits k/(layers-1) of {@code thickness} (times
         * the mask, so edges thin out) above the skin; each layer vertex copies its skin vertex's rig data.
         */
        Geometry shells(String name, float[] mask, float thickness, int layers, float[] flow, Material material,
                float strandScale) {
            List<int[]> tris = new ArrayList<>();
            IndexSource idx = new IndexSource(mesh);
            int[] local = new int[n];
            Arrays.fill(local, -1);
            List<Integer> picked = new ArrayList<>();
            for (int f = 0; f < idx.triangles(); f++) {
                int a = idx.get(3 * f);
                int b = idx.get(3 * f + 1);
                int c = idx.get(3 * f + 2);
                if (isSkin[a] && isSkin[b] && isSkin[c] && Math.max(mask[a], Math.max(mask[b], mask[c])) > 0.05f) {
                    for (int v : new int[] {a, b, c}) {
                        if (local[v] < 0) {
                            local[v] = picked.size();
                            picked.add(v);
                        }
                    }
                    tris.add(new int[] {local[a], local[b], local[c]});
                }
            }
            int m = picked.size();
            int[] source = new int[m * layers];
            float[] pos = new float[3 * m * layers];
            float[] tex = new float[2 * m * layers];
            for (int k = 0; k < layers; k++) {
                float h = k / (float) (layers - 1);
                for (int i = 0; i < m; i++) {
                    int v = picked.get(i);
                    int o = k * m + i;
                    source[o] = v;
                    float lift = 0.0003f + h * thickness * Math.min(1f, mask[v] * 1.5f);
                    for (int c = 0; c < 3; c++) {
                        pos[3 * o + c] = p[3 * v + c] + nrm[3 * v + c] * lift;
                    }
                    tex[2 * o] = h;
                    tex[2 * o + 1] = mask[v];
                }
            }
            int[] indices = new int[3 * tris.size() * layers];
            for (int k = 0; k < layers; k++) {
                for (int t = 0; t < tris.size(); t++) {
                    for (int c = 0; c < 3; c++) {
                        indices[3 * (k * tris.size() + t) + c] = k * m + tris.get(t)[c];
                    }
                }
            }
            material.setFloat("StrandScale", strandScale);
            return riding(name, source, pos, tex, indices, flow, material, null);
        }

        /** A bun at the back of the crown: a squashed sphere riding the crown's skin vertex (the head joint). */
        Geometry bun(Material material) {
            Vector3f centre = new Vector3f(0f, top - 0.035f, earZ - 0.035f);
            material.getAdditionalRenderState().setFaceCullMode(com.jme3.material.RenderState.FaceCullMode.Off);
            return ellipsoids("Bun", nearestSkin(centre), material, new float[] {centre.x, centre.y, centre.z,
                0.034f, 0.030f, 0.030f}, 10, 16, 0f);
        }

        /**
         * Eye sockets: an ellipsoid a little larger than each eyeball (wider, for the slit's corners), drawn from
         * inside (front faces culled), so the slit's corners, where the eyeball does not reach, show a moist dark
         * socket instead of a hole through the head. They ride a vertex at the bridge of the nose (the head joint).
         * Wide enough for the corners of turned eyes, they would poke out of the temples and beside the nose:
         * every vertex is kept behind the skin, so they show only through the eye openings.
         */
        Geometry sockets(Material material) {
            float r = eyeRadius * 1.1f;
            material.getAdditionalRenderState().setFaceCullMode(com.jme3.material.RenderState.FaceCullMode.Front);
            return ellipsoids("EyeSockets", nearestSkin(new Vector3f(0f, eyeL.y, eyeL.z + 0.02f)), material,
                    new float[] {eyeL.x, eyeL.y, eyeL.z, 1.8f * r, 1.2f * r, r,
                        eyeR.x, eyeR.y, eyeR.z, 1.8f * r, 1.2f * r, r}, 24, 40, SOCKET_DEPTH);
        }

        /**
         * Keeps the points {@code from} to {@code to} of an ellipsoid around an eye's centre inside the head, as seen
         * from that centre: a point past the skin along its ray moves to {@code depth} before the skin; a point whose
         * ray leaves the head through the eye opening moves inside the eyeball, which hides it.
         *
         * @param pos points xyz (modified)
         */
        private void behindSkin(float[] pos, int from, int to, Vector3f centre, float depth) {
            float[] tris = skinTriangles();
            Vector3f dir = new Vector3f();
            for (int i = from; i < to; i++) {
                dir.set(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]).subtractLocal(centre);
                float reach = dir.length();
                dir.divideLocal(reach);
                // a ray that meets the skin from outside first has left the head through the eye opening
                float hit = firstHit(tris, centre, dir);
                boolean opening = !(hit > 0f && hit < Float.MAX_VALUE);
                float keep = Math.min(reach, opening ? 0.8f * eyeRadius : hit - depth);
                pos[3 * i] = centre.x + dir.x * keep;
                pos[3 * i + 1] = centre.y + dir.y * keep;
                pos[3 * i + 2] = centre.z + dir.z * keep;
            }
        }

        /** The skin's triangles, 9 floats each (bind pose). */
        private float[] skinTriangles() {
            IndexSource idx = new IndexSource(mesh);
            float[] out = new float[9 * idx.triangles()];
            int k = 0;
            for (int f = 0; f < idx.triangles(); f++) {
                int a = idx.get(3 * f);
                int b = idx.get(3 * f + 1);
                int c = idx.get(3 * f + 2);
                if (isSkin[a] && isSkin[b] && isSkin[c]) {
                    for (int v : new int[] {a, b, c}) {
                        System.arraycopy(p, 3 * v, out, k, 3);
                        k += 3;
                    }
                }
            }
            return Arrays.copyOf(out, k);
        }

        /**
         * The distance to the nearest skin triangle along a ray (Moller-Trumbore), negative where the ray meets its
         * back (enters the skin from outside), or {@code Float.MAX_VALUE}.
         */
        private static float firstHit(float[] tris, Vector3f o, Vector3f d) {
            float best = Float.MAX_VALUE;
            for (int t = 0; t < tris.length; t += 9) {
                float e1x = tris[t + 3] - tris[t];
                float e1y = tris[t + 4] - tris[t + 1];
                float e1z = tris[t + 5] - tris[t + 2];
                float e2x = tris[t + 6] - tris[t];
                float e2y = tris[t + 7] - tris[t + 1];
                float e2z = tris[t + 8] - tris[t + 2];
                float px = d.y * e2z - d.z * e2y;
                float py = d.z * e2x - d.x * e2z;
                float pz = d.x * e2y - d.y * e2x;
                float det = e1x * px + e1y * py + e1z * pz;
                if (Math.abs(det) < 1e-12f) {
                    continue;
                }
                float inv = 1f / det;
                float sx = o.x - tris[t];
                float sy = o.y - tris[t + 1];
                float sz = o.z - tris[t + 2];
                float u = (sx * px + sy * py + sz * pz) * inv;
                if (u < 0f || u > 1f) {
                    continue;
                }
                float qx = sy * e1z - sz * e1y;
                float qy = sz * e1x - sx * e1z;
                float qz = sx * e1y - sy * e1x;
                float v = (d.x * qx + d.y * qy + d.z * qz) * inv;
                if (v < 0f || u + v > 1f) {
                    continue;
                }
                float dist = (e2x * qx + e2y * qy + e2z * qz) * inv;
                if (dist > 0f && dist < Math.abs(best)) {
                    best = det < 0f ? dist : -dist; // det < 0: the ray leaves through the triangle's front
                }
            }
            return best;
        }

        /**
         * Ellipsoids (centre xyz, radii xyz per 6 floats), outward normals, riding one skin vertex; with
         * {@code depth} &gt; 0 kept that far behind the skin.
         */
        private Geometry ellipsoids(String name, int rider, Material material, float[] shapes, int rings,
                int segments, float depth) {
            int per = (rings + 1) * segments;
            int count = per * (shapes.length / 6);
            int[] source = new int[count];
            Arrays.fill(source, rider);
            float[] pos = new float[3 * count];
            float[] normals = new float[3 * count];
            float[] tex = new float[2 * count];
            int[] one = grid(rings + 1, segments, true);
            int[] indices = new int[one.length * (shapes.length / 6)];
            for (int e = 0; e < shapes.length / 6; e++) {
                for (int r = 0; r <= rings; r++) {
                    float phi = FastMath.PI * r / rings;
                    for (int k = 0; k < segments; k++) {
                        float th = FastMath.TWO_PI * k / segments;
                        int o = e * per + r * segments + k;
                        float[] nn = {FastMath.sin(phi) * FastMath.cos(th), FastMath.cos(phi),
                            FastMath.sin(phi) * FastMath.sin(th)};
                        for (int c = 0; c < 3; c++) {
                            pos[3 * o + c] = shapes[6 * e + c] + shapes[6 * e + 3 + c] * nn[c];
                            normals[3 * o + c] = nn[c];
                        }
                        tex[2 * o + 1] = 1f;
                    }
                }
                for (int i = 0; i < one.length; i++) {
                    indices[e * one.length + i] = e * per + one[i];
                }
                if (depth > 0f) {
                    behindSkin(pos, e * per, (e + 1) * per, new Vector3f(shapes[6 * e], shapes[6 * e + 1],
                            shapes[6 * e + 2]), depth);
                }
            }
            return riding(name, source, pos, tex, indices, flowDown(), material, normals);
        }

        /**
         * Long hair falling behind the head to the shoulders: a sheet around the back from the crown down, a little
         * outside the head, riding the head joint like the bun.
         */
        Geometry curtain(Material material) {
            float y0 = eyeL.y + 0.035f;
            float[] radius = new float[CURTAIN_COLUMNS];
            float centreZ = earZ + 0.02f;
            for (int v = 0; v < n; v++) {
                float y = p[3 * v + 1];
                if (!isSkin[v] || y < eyeL.y - 0.03f || y > y0) {
                    continue;
                }
                float dz = p[3 * v + 2] - centreZ;
                float th = FastMath.atan2(p[3 * v], -dz); // 0 straight behind
                int c = Math.round((th / CURTAIN_SPAN + 0.5f) * (CURTAIN_COLUMNS - 1));
                if (c >= 0 && c < CURTAIN_COLUMNS) {
                    radius[c] = Math.max(radius[c], FastMath.sqrt(p[3 * v] * p[3 * v] + dz * dz));
                }
            }
            int rows = 9;
            int count = rows * CURTAIN_COLUMNS;
            int[] source = new int[count];
            Arrays.fill(source, nearestSkin(new Vector3f(0f, top - 0.035f, earZ - 0.035f)));
            float[] pos = new float[3 * count];
            float[] normals = new float[3 * count];
            float[] tex = new float[2 * count];
            for (int r = 0; r < rows; r++) {
                float t = r / (rows - 1f);
                float y = y0 + (0.004f - y0) * t;
                for (int c = 0; c < CURTAIN_COLUMNS; c++) {
                    float th = (c / (CURTAIN_COLUMNS - 1f) - 0.5f) * CURTAIN_SPAN;
                    float rr = (Math.max(radius[c], 0.05f) + 0.008f) * (1f + 0.05f * t);
                    // ragged ends: the sheet thins out toward its front edges and its bottom
                    float edge = Math.min(c, CURTAIN_COLUMNS - 1 - c) / 3f;
                    int o = r * CURTAIN_COLUMNS + c;
                    pos[3 * o] = rr * FastMath.sin(th);
                    pos[3 * o + 1] = y;
                    pos[3 * o + 2] = centreZ - rr * FastMath.cos(th);
                    normals[3 * o] = FastMath.sin(th);
                    normals[3 * o + 2] = -FastMath.cos(th);
                    float top = r == 0 ? 0.25f + FastMath.cos(th) * FastMath.cos(th) : 1f; // sides tuck under the cap
                    tex[2 * o + 1] = Math.min(top, Math.min(edge, (1f - t) * 3f));
                }
            }
            material.getAdditionalRenderState().setFaceCullMode(com.jme3.material.RenderState.FaceCullMode.Off);
            return riding("HairBack", source, pos, tex, grid(rows, CURTAIN_COLUMNS, false), flowDown(), material,
                    normals);
        }

        private int nearestSkin(Vector3f at) {
            int best = 0;
            float bestD = Float.MAX_VALUE;
            for (int v = 0; v < n; v++) {
                float d = isSkin[v] ? at.distanceSquared(new Vector3f(p[3 * v], p[3 * v + 1], p[3 * v + 2]))
                        : Float.MAX_VALUE;
                if (d < bestD) {
                    bestD = d;
                    best = v;
                }
            }
            return best;
        }

        /** Triangles of a rows x cols vertex grid (row-major), its columns closed into a ring if wrap. */
        private static int[] grid(int rows, int cols, boolean wrap) {
            int quads = cols - (wrap ? 0 : 1);
            int[] out = new int[6 * (rows - 1) * quads];
            int i = 0;
            for (int r = 0; r < rows - 1; r++) {
                for (int k = 0; k < quads; k++) {
                    int a = r * cols + k;
                    int b = r * cols + (k + 1) % cols;
                    int c = a + cols;
                    int d = b + cols;
                    out[i++] = a;
                    out[i++] = b;
                    out[i++] = c;
                    out[i++] = b;
                    out[i++] = d;
                    out[i++] = c;
                }
            }
            return out;
        }

        /** A fringe of lashes on each upper lid's rim: the rim's lowest vertices, lifted forward and up. */
        Geometry lashes(Material material) {
            List<int[]> tris = new ArrayList<>();
            IndexSource idx = new IndexSource(mesh);
            boolean[] lid = new boolean[n];
            for (int v : upperLids) {
                lid[v] = true;
            }
            // rim edges: edges of lid triangles used once (the slit's boundary)
            java.util.Map<Long, Integer> edges = new java.util.HashMap<>();
            for (int f = 0; f < idx.triangles(); f++) {
                for (int e = 0; e < 3; e++) {
                    int a = idx.get(3 * f + e);
                    int b = idx.get(3 * f + (e + 1) % 3);
                    if (lid[a] && lid[b]) {
                        edges.merge(Math.min(a, b) * 100_000L + Math.max(a, b), 1, Integer::sum);
                    }
                }
            }
            List<Integer> source = new ArrayList<>();
            List<Float> pos = new ArrayList<>();
            List<Float> tex = new ArrayList<>();
            for (var entry : edges.entrySet()) {
                if (entry.getValue() != 1) {
                    continue;
                }
                int a = (int) (entry.getKey() / 100_000L);
                int b = (int) (entry.getKey() % 100_000L);
                Vector3f c = p[3 * a] > 0 ? eyeL : eyeR;
                if (p[3 * a + 1] < c.y - 0.002f || p[3 * a + 2] < c.z + 0.004f) {
                    continue; // the slit's far corners and its lower side are not the upper rim
                }
                int base = source.size();
                for (int v : new int[] {a, b}) {
                    for (int layer = 0; layer < 2; layer++) {
                        Vector3f out = new Vector3f(p[3 * v], p[3 * v + 1], p[3 * v + 2]).subtractLocal(c)
                                .normalizeLocal();
                        // up and forward, shorter toward the corners (no brush sticking out sideways)
                        float across = (p[3 * v] - c.x) / eyeRadius;
                        float taper = FastMath.clamp(1f - across * across, 0.25f, 1f);
                        Vector3f tip = out.mult(0.0010f).addLocal(0f, 0.0024f, 0.0016f).multLocal(layer * taper);
                        source.add(v);
                        pos.add(p[3 * v] + tip.x);
                        pos.add(p[3 * v + 1] + tip.y);
                        pos.add(p[3 * v + 2] + tip.z);
                        tex.add(layer == 0 ? 0f : 0.5f);
                        tex.add(1f);
                    }
                }
                tris.add(new int[] {base, base + 2, base + 1});
                tris.add(new int[] {base + 1, base + 2, base + 3});
            }
            int[] indices = new int[3 * tris.size()];
            for (int t = 0; t < tris.size(); t++) {
                System.arraycopy(tris.get(t), 0, indices, 3 * t, 3);
            }
            float[] posArray = new float[pos.size()];
            for (int i = 0; i < posArray.length; i++) {
                posArray[i] = pos.get(i);
            }
            float[] texArray = new float[tex.size()];
            for (int i = 0; i < texArray.length; i++) {
                texArray[i] = tex.get(i);
            }
            material.setFloat("StrandScale", 14000f);
            material.getAdditionalRenderState().setFaceCullMode(com.jme3.material.RenderState.FaceCullMode.Off);
            return riding("Lashes", source.stream().mapToInt(Integer::intValue).toArray(), posArray, texArray,
                    indices, flowDown(), material, null);
        }

        /**
         * A geometry whose vertices stand on skin vertices {@code source}: their rig data, normals (unless
         * {@code ownNormals}: then its own, and its positions as the strands' base) and flow.
         */
        private Geometry riding(String name, int[] source, float[] pos, float[] tex, int[] indices, float[] flow,
                Material material, float[] ownNormals) {
            Mesh out = new Mesh();
            int count = source.length;
            float[] normals = new float[3 * count];
            float[] base = new float[3 * count];
            float[] tangents = new float[4 * count];
            for (int i = 0; i < count; i++) {
                int v = source[i];
                System.arraycopy(nrm, 3 * v, normals, 3 * i, 3);
                System.arraycopy(p, 3 * v, base, 3 * i, 3);
                System.arraycopy(flow, 4 * v, tangents, 4 * i, 4);
            }
            if (ownNormals != null) {
                normals = ownNormals;
                base = pos;
            }
            out.setBuffer(VertexBuffer.Type.Position, 3, pos);
            out.setBuffer(VertexBuffer.Type.Normal, 3, normals);
            out.setBuffer(VertexBuffer.Type.Tangent, 4, tangents);
            out.setBuffer(VertexBuffer.Type.TexCoord, 2, tex);
            out.setBuffer(VertexBuffer.Type.TexCoord3, 3, base);
            out.setBuffer(VertexBuffer.Type.Index, 3, indices);
            for (VertexBuffer.Type[] types : List.of(
                    new VertexBuffer.Type[] {VertexBuffer.Type.BoneIndex, VertexBuffer.Type.HWBoneIndex},
                    new VertexBuffer.Type[] {VertexBuffer.Type.BoneWeight, VertexBuffer.Type.HWBoneWeight})) {
                VertexBuffer vb = mesh.getBuffer(types[0]);
                if (vb != null && vb.getData() != null) {
                    VertexBuffer copy = gather(vb, source);
                    out.setBuffer(copy);
                    // uploaded for hardware skinning: a CpuOnly buffer never reached the shader, so the grooming
                    // stayed in the bind pose while the neck turned the head
                    VertexBuffer hw = new VertexBuffer(types[1]);
                    hw.setupData(VertexBuffer.Usage.Static, copy.getNumComponents(), copy.getFormat(),
                            copy.getData());
                    out.setBuffer(hw);
                }
            }
            out.setMaxNumWeights(mesh.getMaxNumWeights());
            for (MorphTarget t : mesh.getMorphTargets()) {
                MorphTarget copy = new MorphTarget(t.getName());
                FloatBuffer dp = t.getBuffer(VertexBuffer.Type.Position);
                if (dp == null || !moves(dp, source)) {
                    continue;
                }
                copy.setBuffer(VertexBuffer.Type.Position, gather(dp, source, 3));
                FloatBuffer dn = t.getBuffer(VertexBuffer.Type.Normal);
                if (dn != null) {
                    copy.setBuffer(VertexBuffer.Type.Normal, gather(dn, source, 3));
                }
                out.addMorphTarget(copy);
            }
            if (mesh.getBuffer(VertexBuffer.Type.BindPosePosition) != null) {
                out.generateBindPose();
            }
            out.updateBound();
            out.updateCounts();
            Geometry g = new Geometry(name, out);
            g.setMaterial(material);
            return g;
        }

        private static boolean moves(FloatBuffer d, int[] source) {
            for (int v : source) {
                if (Math.abs(d.get(3 * v)) + Math.abs(d.get(3 * v + 1)) + Math.abs(d.get(3 * v + 2)) > 1e-6f) {
                    return true;
                }
            }
            return false;
        }

        private static FloatBuffer gather(FloatBuffer from, int[] source, int comps) {
            FloatBuffer out = BufferUtils.createFloatBuffer(source.length * comps);
            for (int v : source) {
                for (int c = 0; c < comps; c++) {
                    out.put(from.get(comps * v + c));
                }
            }
            return out.flip();
        }

        private static VertexBuffer gather(VertexBuffer vb, int[] source) {
            int comps = vb.getNumComponents();
            VertexBuffer copy = new VertexBuffer(vb.getBufferType());
            copy.setupData(vb.getUsage(), comps, vb.getFormat(),
                    VertexBuffer.createBuffer(vb.getFormat(), comps, source.length));
            for (int i = 0; i < source.length; i++) {
                for (int c = 0; c < comps; c++) {
                    copy.setElementComponent(i, c, vb.getElementComponent(source[i], c));
                }
            }
            return copy;
        }

        private static float[] floats(VertexBuffer vb) {
            FloatBuffer f = (FloatBuffer) vb.getData();
            float[] out = new float[f.limit()];
            f.get(0, out);
            return out;
        }
    }

    /** A value per skin vertex, from its index and bind position. */
    @FunctionalInterface
    private interface Field {
        float at(int v, float x, float y, float z);
    }

    /** A mesh's triangle indices, whatever their storage. */
    private static final class IndexSource {
        private final com.jme3.scene.mesh.IndexBuffer buffer;

        IndexSource(Mesh mesh) {
            buffer = mesh.getIndexBuffer();
        }

        int triangles() {
            return buffer.size() / 3;
        }

        int get(int i) {
            return buffer.get(i);
        }
    }

    private static float smooth(float e0, float e1, float x) {
        float t = FastMath.clamp((x - e0) / (e1 - e0), 0f, 1f);
        return t * t * (3f - 2f * t);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s hair, %s beard, age %.1f", hair, beard, age);
    }
}
