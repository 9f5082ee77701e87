package dev.parley.demo;

import com.jme3.asset.AssetManager;
import com.jme3.material.Material;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.renderer.queue.RenderQueue.ShadowMode;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.control.AbstractControl;
import com.jme3.scene.shape.Cylinder;
import com.jme3.scene.shape.Sphere;
import com.jme3.texture.Texture2D;
import com.jme3.util.BufferUtils;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;

/**
 * A clothed body for a demo head, made in code: a tunic over the torso and hips (a lathe with a
 * squarish cross-section, so shoulders and chest read at a distance), a belt, sleeves on tapered
 * upper arms and forearms, mitten hands with a thumb, trousers and boots. {@link #build} gives it a
 * slow idle sway; a head attached under the body sways with it.
 */
final class CharacterBody {

    /** Height of the head's root joint (the base of its neck) above the feet, in meters. */
    static final float NECK_BASE = 1.42f;
    /** The head's scale on this body: stylised, a little larger than life. */
    static final float HEAD_SCALE = 1.25f;

    /** The tunic's rings from hem to neck: height, half width, half depth, forward shift (m). */
    private static final float[][] TUNIC = {
        {0.55f, 0.205f, 0.165f, 0f}, {0.62f, 0.19f, 0.15f, 0f}, {0.76f, 0.172f, 0.128f, 0f},
        {0.9f, 0.155f, 0.108f, 0f}, {1.02f, 0.162f, 0.112f, 0.004f}, {1.14f, 0.176f, 0.122f, 0.012f},
        {1.24f, 0.186f, 0.118f, 0.01f}, {1.31f, 0.19f, 0.106f, 0.004f}, {1.355f, 0.178f, 0.094f, 0f},
        {1.39f, 0.14f, 0.08f, 0f}, {1.415f, 0.085f, 0.066f, 0f}, {1.45f, 0.062f, 0.058f, 0f},
    };
    /** The shoulder joints, where the sleeves start. */
    private static final Vector3f SHOULDER = new Vector3f(0.182f, 1.32f, -0.005f);
    private static final float UPPER_ARM = 0.27f;
    private static final float FOREARM = 0.245f;

    private CharacterBody() {
    }

    /**
     * @param assetManager loads materials (not null)
     * @param outfit the tunic's colour (not null, unaffected)
     * @return a new body node, feet at its origin, facing +Z, swaying slowly (not null)
     */
    static Node build(AssetManager assetManager, ColorRGBA outfit) {
        Validate.nonNull(assetManager, "assetManager");
        Validate.nonNull(outfit, "outfit");
        Node body = new Node("Body");
        Texture2D weave = ProceduralTextures.fabric(128);
        Material cloth = material(assetManager, outfit, 0.86f);
        cloth.setTexture("BaseColorMap", weave);
        Material trim = material(assetManager, outfit.mult(0.55f).setAlpha(1f), 0.8f);
        Material trousers = material(assetManager, new ColorRGBA(0.17f, 0.16f, 0.18f, 1f), 0.9f);
        trousers.setTexture("BaseColorMap", weave);
        Material leather = material(assetManager, new ColorRGBA(0.22f, 0.13f, 0.07f, 1f), 0.55f);
        Material skin = material(assetManager, new ColorRGBA(0.8f, 0.56f, 0.44f, 1f), 0.6f);

        add(body, "Tunic", lathe(TUNIC, 28, true), cloth, 0f, 0f, 0f);
        add(body, "Hem", lathe(ring(0.55f, 0.035f, 0.211f, 0.171f), 28, false), trim, 0f, 0f, 0f);
        add(body, "Belt", lathe(ring(0.885f, 0.05f, 0.163f, 0.116f), 28, false), leather, 0f, 0f, 0f);
        add(body, "Buckle", new com.jme3.scene.shape.Box(0.028f, 0.024f, 0.008f), trim, 0f, 0.91f, 0.116f);
        add(body, "Collar", lathe(ring(1.425f, 0.05f, 0.078f, 0.07f), 20, false), trim, 0f, 0f, 0f);
        for (float side : new float[] {-1f, 1f}) {
            add(body, "Leg", vertical(0.058f, 0.07f, 0.56f), trousers, side * 0.092f, 0.36f, 0f);
            add(body, "Boot", vertical(0.064f, 0.066f, 0.16f), leather, side * 0.092f, 0.08f, 0f);
            add(body, "Toe", new Sphere(10, 14, 0.066f), leather, side * 0.092f, 0.035f, 0.06f)
                    .setLocalScale(0.95f, 0.55f, 1.45f);
            body.attachChild(arm(side, cloth, trim, skin));
        }
        body.setShadowMode(ShadowMode.CastAndReceive);
        body.addControl(new Sway(outfit.hashCode()));
        return body;
    }

    /** One arm hanging relaxed, elbow a little bent, palm towards the thigh. */
    private static Node arm(float side, Material cloth, Material trim, Material skin) {
        Node shoulder = new Node("Arm");
        shoulder.setLocalTranslation(SHOULDER.x * side, SHOULDER.y, SHOULDER.z);
        shoulder.setLocalRotation(new Quaternion().fromAngles(0.04f, 0f, side * 0.16f));
        add(shoulder, "Deltoid", new Sphere(12, 16, 0.062f), cloth, 0f, -0.012f, 0f).setLocalScale(1f, 0.95f, 0.9f);
        add(shoulder, "Sleeve", limb(0.056f, 0.046f, UPPER_ARM), cloth, 0f, 0f, 0f);
        Node elbow = new Node("Elbow");
        elbow.setLocalTranslation(0f, -UPPER_ARM, 0f);
        elbow.setLocalRotation(new Quaternion().fromAngles(-0.3f, 0f, -side * 0.1f));
        shoulder.attachChild(elbow);
        add(elbow, "ElbowJoint", new Sphere(10, 12, 0.046f), cloth, 0f, 0f, 0f);
        add(elbow, "Forearm", limb(0.046f, 0.041f, FOREARM - 0.03f), cloth, 0f, 0f, 0f);
        add(elbow, "Cuff", limb(0.047f, 0.046f, 0.04f), trim, 0f, -(FOREARM - 0.05f), 0f);
        add(elbow, "Wrist", limb(0.026f, 0.024f, 0.04f), skin, 0f, -FOREARM + 0.01f, 0f);
        Node hand = new Node("Hand");
        hand.setLocalTranslation(0f, -FOREARM - 0.055f, 0.004f);
        elbow.attachChild(hand);
        // A mitten: a flat palm with the fingers closed, and a thumb in front of it.
        add(hand, "Palm", new Sphere(12, 16, 1f), skin, 0f, 0f, 0f).setLocalScale(0.024f, 0.066f, 0.045f);
        Geometry thumb = add(hand, "Thumb", new Sphere(8, 12, 1f), skin, -side * 0.012f, 0.012f, 0.036f);
        thumb.setLocalScale(0.014f, 0.036f, 0.016f);
        thumb.setLocalRotation(new Quaternion().fromAngles(0.45f, 0f, side * 0.25f));
        return shoulder;
    }

    private static Geometry add(Node parent, String name, Mesh mesh, Material mat, float x, float y, float z) {
        Geometry g = new Geometry(name, mesh);
        g.setMaterial(mat);
        g.setLocalTranslation(x, y, z);
        parent.attachChild(g);
        return g;
    }

    /** A band around the body: two rings a little proud of the tunic. */
    private static float[][] ring(float y, float height, float halfWidth, float halfDepth) {
        float[][] rings = new float[4][];
        rings[0] = new float[] {y - height / 2, halfWidth - 0.004f, halfDepth - 0.004f, 0f};
        rings[1] = new float[] {y - height / 2 + 0.006f, halfWidth, halfDepth, 0f};
        rings[2] = new float[] {y + height / 2 - 0.006f, halfWidth, halfDepth, 0f};
        rings[3] = new float[] {y + height / 2, halfWidth - 0.004f, halfDepth - 0.004f, 0f};
        return rings;
    }

    /** A limb along -Y from its origin: a tapered lathe with round ends. */
    private static Mesh limb(float top, float bottom, float length) {
        return lathe(new float[][] {{-length, bottom * 0.6f, bottom * 0.6f, 0f}, {-length + bottom * 0.3f, bottom,
            bottom, 0f}, {-length * 0.5f, (top + bottom) * 0.52f, (top + bottom) * 0.5f, 0f}, {0f, top, top * 0.96f,
            0f}}, 14, true);
    }

    /**
     * A surface of revolution with a squarish cross-section (a superellipse), smooth normals.
     *
     * @param rings from bottom to top: {height, half width (x), half depth (z), forward shift (z)}
     * @param segments vertices around each ring
     * @param capBottom true to close the lowest ring with a disc
     * @return a new mesh (not null)
     */
    static Mesh lathe(float[][] rings, int segments, boolean capBottom) {
        return lathe(rings, segments, capBottom, 0.77f);
    }

    /**
     * A surface of revolution with a superellipse cross-section, smooth normals.
     *
     * @param rings from bottom to top: {height, half width (x), half depth (z), forward shift (z)}
     * @param segments vertices around each ring
     * @param capBottom true to close the lowest ring with a disc
     * @param roundness 1 for an ellipse, less for a squarer section (0.77: boxy, as a tunic's)
     * @return a new mesh (not null)
     */
    static Mesh lathe(float[][] rings, int segments, boolean capBottom, float roundness) {
        int n = rings.length;
        int ringVerts = segments + 1;
        int verts = n * ringVerts + (capBottom ? 1 : 0);
        FloatBuffer pos = BufferUtils.createFloatBuffer(verts * 3);
        FloatBuffer uv = BufferUtils.createFloatBuffer(verts * 2);
        for (float[] r : rings) {
            for (int s = 0; s <= segments; s++) {
                float a = FastMath.TWO_PI * s / segments;
                float c = FastMath.cos(a);
                float sn = FastMath.sin(a);
                float x = r[1] * Math.signum(sn) * (float) Math.pow(Math.abs(sn), roundness);
                float z = r[2] * Math.signum(c) * (float) Math.pow(Math.abs(c), roundness) + r[3];
                pos.put(x).put(r[0]).put(z);
                uv.put(4f * s / segments).put(6f * (r[0] - rings[0][0])); // about 6 repeats a metre
            }
        }
        if (capBottom) {
            pos.put(0f).put(rings[0][0]).put(rings[0][3]);
            uv.put(0f).put(0f);
        }
        int tris = (n - 1) * segments * 2 + (capBottom ? segments : 0);
        short[] idx = new short[tris * 3];
        int k = 0;
        for (int i = 0; i < n - 1; i++) {
            for (int s = 0; s < segments; s++) {
                int a = i * ringVerts + s;
                int b = a + ringVerts;
                idx[k++] = (short) a;
                idx[k++] = (short) (a + 1);
                idx[k++] = (short) b;
                idx[k++] = (short) (a + 1);
                idx[k++] = (short) (b + 1);
                idx[k++] = (short) b;
            }
        }
        if (capBottom) {
            for (int s = 0; s < segments; s++) {
                idx[k++] = (short) (verts - 1);
                idx[k++] = (short) (s + 1);
                idx[k++] = (short) s;
            }
        }
        Mesh mesh = new Mesh();
        mesh.setBuffer(VertexBuffer.Type.Position, 3, pos);
        mesh.setBuffer(VertexBuffer.Type.TexCoord, 2, uv);
        mesh.setBuffer(VertexBuffer.Type.Index, 3, idx);
        mesh.setBuffer(VertexBuffer.Type.Normal, 3, smoothNormals(pos, idx, segments, ringVerts, n));
        mesh.updateBound();
        return mesh;
    }

    /** Area-weighted vertex normals; each ring's seam vertices share theirs so no crease shows. */
    private static FloatBuffer smoothNormals(FloatBuffer pos, short[] idx, int segments, int ringVerts, int rings) {
        int verts = pos.limit() / 3;
        float[] acc = new float[verts * 3];
        Vector3f p0 = new Vector3f();
        Vector3f p1 = new Vector3f();
        Vector3f p2 = new Vector3f();
        for (int t = 0; t < idx.length; t += 3) {
            int a = idx[t];
            int b = idx[t + 1];
            int c = idx[t + 2];
            p0.set(pos.get(3 * a), pos.get(3 * a + 1), pos.get(3 * a + 2));
            p1.set(pos.get(3 * b), pos.get(3 * b + 1), pos.get(3 * b + 2)).subtractLocal(p0);
            p2.set(pos.get(3 * c), pos.get(3 * c + 1), pos.get(3 * c + 2)).subtractLocal(p0);
            Vector3f f = p1.cross(p2);
            for (int v : new int[] {a, b, c}) {
                acc[3 * v] += f.x;
                acc[3 * v + 1] += f.y;
                acc[3 * v + 2] += f.z;
            }
        }
        for (int i = 0; i < rings; i++) {
            int first = i * ringVerts;
            int last = first + segments;
            for (int d = 0; d < 3; d++) {
                float sum = acc[3 * first + d] + acc[3 * last + d];
                acc[3 * first + d] = sum;
                acc[3 * last + d] = sum;
            }
        }
        FloatBuffer out = BufferUtils.createFloatBuffer(verts * 3);
        Vector3f n = new Vector3f();
        for (int v = 0; v < verts; v++) {
            n.set(acc[3 * v], acc[3 * v + 1], acc[3 * v + 2]).normalizeLocal();
            out.put(n.x).put(n.y).put(n.z);
        }
        out.flip();
        return out;
    }

    /** A closed cylinder along Y, centred on its origin (jME's runs along Z): radius at the top and at the bottom. */
    static Mesh vertical(float top, float bottom, float height) {
        Mesh mesh = new Cylinder(4, 20, top, bottom, height, true, false);
        Quaternion toY = new Quaternion().fromAngleAxis(FastMath.HALF_PI, Vector3f.UNIT_X);
        for (VertexBuffer.Type type : new VertexBuffer.Type[] {VertexBuffer.Type.Position, VertexBuffer.Type.Normal}) {
            FloatBuffer fb = (FloatBuffer) mesh.getBuffer(type).getData();
            Vector3f v = new Vector3f();
            for (int i = 0; i < fb.limit() / 3; i++) {
                toY.multLocal(v.set(fb.get(3 * i), fb.get(3 * i + 1), fb.get(3 * i + 2)));
                fb.put(3 * i, v.x).put(3 * i + 1, v.y).put(3 * i + 2, v.z);
            }
            mesh.getBuffer(type).updateData(fb);
        }
        mesh.updateBound();
        return mesh;
    }

    /**
     * A physically based, non-metallic material (jME's {@code PBRLighting}, lit by the courtyard's sun and light
     * probe).
     *
     * @param assetManager loads the definition (not null)
     * @param color the base colour (not null, unaffected)
     * @param roughness 0 (mirror) to 1 (chalk)
     * @return a new material (not null)
     */
    static Material material(AssetManager assetManager, ColorRGBA color, float roughness) {
        Material m = new Material(assetManager, "Common/MatDefs/Light/PBRLighting.j3md");
        m.setColor("BaseColor", color.clone());
        m.setFloat("Metallic", 0f);
        m.setFloat("Roughness", roughness);
        return m;
    }

    /**
     * A slow idle sway from the ankles: a weight shift side to side and a little forward and back, a few
     * millimetres at the head. Each character's phase differs.
     */
    static final class Sway extends AbstractControl {

        private final float phase;
        private float time;

        /**
         * @param seed picks the phase
         */
        Sway(int seed) {
            this.phase = (seed & 0xffff) / 65536f * FastMath.TWO_PI;
        }

        @Override
        protected void controlUpdate(float tpf) {
            time += tpf;
            float roll = 0.006f * FastMath.sin(time * 0.9f + phase);
            float pitch = 0.004f * FastMath.sin(time * 0.55f + 1.7f * phase);
            spatial.setLocalRotation(new Quaternion().fromAngles(pitch, 0f, roll));
        }

        @Override
        protected void controlRender(RenderManager rm, ViewPort vp) {
        }
    }
}
