package dev.parley.demo;

import com.jme3.asset.AssetManager;
import com.jme3.material.Material;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.renderer.queue.RenderQueue.ShadowMode;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.shape.Cylinder;
import com.jme3.scene.shape.Sphere;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;

/** A simple stylised body for a demo head: legs, torso, shoulders, arms and a collar over the neck stump. */
final class CharacterBody {

    /** Height of the head's root joint (the base of its neck) above the feet, in meters. */
    static final float NECK_BASE = 1.42f;
    /** The head's scale on this body: stylised, a little larger than life. */
    static final float HEAD_SCALE = 1.25f;

    private CharacterBody() {
    }

    /**
     * @param assetManager loads materials (not null)
     * @param outfit the clothing colour (not null, unaffected)
     * @return a new body node, feet at its origin, facing +Z (not null)
     */
    static Node build(AssetManager assetManager, ColorRGBA outfit) {
        Validate.nonNull(assetManager, "assetManager");
        Validate.nonNull(outfit, "outfit");
        Node body = new Node("Body");
        Material cloth = material(assetManager, outfit, 4f);
        Material trousers = material(assetManager, new ColorRGBA(0.2f, 0.19f, 0.22f, 1f), 2f);
        Material boots = material(assetManager, new ColorRGBA(0.23f, 0.14f, 0.08f, 1f), 12f);
        Material skin = material(assetManager, new ColorRGBA(0.86f, 0.64f, 0.52f, 1f), 6f);
        Material collar = material(assetManager, outfit.mult(0.6f).setAlpha(1f), 4f);

        for (float side : new float[] {-1f, 1f}) {
            add(body, "Leg", vertical(0.065f, 0.06f, 0.82f), trousers, side * 0.09f, 0.45f, 0f);
            add(body, "Boot", new Sphere(12, 16, 0.08f), boots, side * 0.09f, 0.04f, 0.04f)
                    .setLocalScale(0.9f, 0.55f, 1.4f);
            Geometry arm = add(body, "Arm", vertical(0.042f, 0.05f, 0.56f), cloth, side * 0.215f, 1.07f, 0f);
            arm.setLocalRotation(new Quaternion().fromAngles(0f, 0f, side * 0.1f));
            add(body, "Hand", new Sphere(10, 12, 0.045f), skin, side * 0.245f, 0.77f, 0.01f);
        }
        add(body, "Hips", new Sphere(16, 20, 0.17f), trousers, 0f, 0.86f, 0f).setLocalScale(1f, 0.5f, 0.75f);
        add(body, "Torso", vertical(0.165f, 0.14f, 0.52f), cloth, 0f, 1.1f, 0f).setLocalScale(1f, 1f, 0.7f);
        add(body, "Shoulders", new Sphere(16, 24, 0.215f), cloth, 0f, 1.34f, -0.005f).setLocalScale(1f, 0.34f, 0.52f);
        add(body, "Collar", vertical(0.085f, 0.1f, 0.1f), collar, 0f, NECK_BASE + 0.01f, 0.0f);
        body.setShadowMode(ShadowMode.CastAndReceive);
        return body;
    }

    private static Geometry add(Node parent, String name, Mesh mesh, Material mat, float x, float y, float z) {
        Geometry g = new Geometry(name, mesh);
        g.setMaterial(mat);
        g.setLocalTranslation(x, y, z);
        parent.attachChild(g);
        return g;
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

    static Material material(AssetManager assetManager, ColorRGBA color, float shininess) {
        Material m = new Material(assetManager, "Common/MatDefs/Light/Lighting.j3md");
        m.setBoolean("UseMaterialColors", true);
        m.setColor("Diffuse", color);
        m.setColor("Ambient", color);
        m.setColor("Specular", new ColorRGBA(0.12f, 0.12f, 0.12f, 1f));
        m.setFloat("Shininess", shininess);
        return m;
    }
}
