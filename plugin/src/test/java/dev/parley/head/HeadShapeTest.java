package dev.parley.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.SkinningControl;
import com.jme3.asset.AssetManager;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.export.binary.BinaryImporter;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The shape basis reader and applying an identity to a loaded head (values: {@code HeadGoldenTest}). */
class HeadShapeTest {

    @Test
    void readsTheLayoutVertexBasisThenJointBasis() {
        // 2 shapes, 2 vertices, 1 joint: vertex basis [2][2][3], then joint basis [2][1][3].
        float[] values = new float[2 * 2 * 3 + 2 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        HeadShape shape = HeadShape.read(stream(values), "tiny.shape.bin", 2, 2, 1);
        float[] dv = shape.vertexOffsets(new float[] {1f, 2f}, null);
        assertEquals(0f + 2 * 6f, dv[0]);
        assertEquals(5f + 2 * 11f, dv[5]);
        float[] dj = shape.jointOffsets(new float[] {1f}, null);
        assertEquals(12f, dj[0]);
        assertEquals(14f, dj[2]);
    }

    @Test
    void wrongSizeNamesTheFileAndTheExpectedSize() {
        AssetFormatException e = assertThrows(AssetFormatException.class,
                () -> HeadShape.read(stream(new float[10]), "short.shape.bin", 2, 2, 1));
        assertTrue(e.getMessage().contains("short.shape.bin") && e.getMessage().contains("72 bytes"), e.getMessage());
        e = assertThrows(AssetFormatException.class,
                () -> HeadShape.read(stream(new float[19]), "long.shape.bin", 2, 2, 1));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void betaIsValidated() {
        HeadShape shape = HeadShape.read(stream(new float[18]), "tiny.shape.bin", 2, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shape.vertexOffsets(new float[3], null));
        assertTrue(e.getMessage().contains("beta has 3 components"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> shape.vertexOffsets(new float[] {Float.NaN}, null));
        assertThrows(NullPointerException.class, () -> shape.vertexOffsets(null, null));
    }

    /** Heads loaded from one asset share vertex buffers; shaping one must leave the others alone. */
    @Test
    void shapingOneHeadLeavesOtherLoadsOfTheSameAssetUnchanged() {
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, TestAssets.HEAD_SPEC);
        HeadShape shape = HeadShape.load(am, TestAssets.HEAD_SPEC, spec);
        Spatial a = am.loadModel(TestAssets.HEAD_MODEL);
        Spatial b = am.loadModel(TestAssets.HEAD_MODEL);
        float before = position(b, spec, 100);
        float[] beta = new float[20];
        beta[0] = 2f; // face width
        shape.apply(a, spec, beta);
        assertEquals(before, position(b, spec, 100), 0f);
        assertNotEquals(before, position(a, spec, 100));
        Vector3f eyeA = joint(a, "eye_L");
        Vector3f eyeB = joint(b, "eye_L");
        assertEquals(spec.joints().get(3).rest()[0], eyeB.x, 1e-6f);
        float[] dj = shape.jointOffsets(beta, null);
        assertEquals(spec.joints().get(3).rest()[0] + dj[9], eyeA.x, 1e-6f);
    }

    @Test
    void applyRecordsTheBetaOnTheModelAndItSurvivesCloneAndSave() throws Exception {
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, TestAssets.HEAD_SPEC);
        HeadShape shape = HeadShape.load(am, TestAssets.HEAD_SPEC, spec);
        Spatial head = am.loadModel(TestAssets.HEAD_MODEL);
        assertArrayEquals(new float[0], HeadShape.betaOf(head), "never shaped: the mean face");
        shape.apply(head, spec, new float[] {1f, -0.5f});
        shape.apply(head, spec, new float[] {0.25f, 0f, 2f}); // shapes add up, on the mesh as on the record
        float[] expected = {1.25f, -0.5f, 2f};
        assertArrayEquals(expected, HeadShape.betaOf(head));
        assertArrayEquals(expected, HeadShape.betaOf(head.clone()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryExporter.getInstance().save(head, out);
        BinaryImporter importer = BinaryImporter.getInstance();
        importer.setAssetManager(am); // the head's materials load their definitions through it
        Spatial loaded = (Spatial) importer.load(out.toByteArray());
        assertArrayEquals(expected, HeadShape.betaOf(loaded));

        Spatial odd = new com.jme3.scene.Node("odd");
        odd.setUserData(HeadShape.BETA_KEY, "wide");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadShape.betaOf(odd));
        assertEquals("model 'odd' has user data 'ParleyBeta' = wide but expected the beta recorded by"
                + " HeadShape.apply", e.getMessage());
    }

    @Test
    void aModelWithoutTheHeadMeshIsRefusedByName() {
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, TestAssets.HEAD_SPEC);
        HeadShape shape = HeadShape.load(am, TestAssets.HEAD_SPEC, spec);
        Geometry box = new Geometry("Box", new com.jme3.scene.shape.Box(1, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shape.apply(box, spec, new float[1]));
        assertTrue(e.getMessage().contains("'Box' (24)"), e.getMessage());
    }

    private static float position(Spatial model, HeadSpec spec, int vertex) {
        float[] out = new float[1];
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getVertexCount() == spec.vertexCount()) {
                out[0] = ((FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData()).get(3 * vertex);
            }
        });
        return out[0];
    }

    private static Vector3f joint(Spatial model, String name) {
        Vector3f[] out = new Vector3f[1];
        model.depthFirstTraversal(s -> {
            SkinningControl sc = s.getControl(SkinningControl.class);
            if (sc != null) {
                sc.getArmature().update();
                out[0] = sc.getArmature().getJoint(name).getModelTransform().getTranslation().clone();
            }
        });
        return out[0];
    }

    private static ByteArrayInputStream stream(float[] values) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bb.putFloat(v);
        }
        return new ByteArrayInputStream(bb.array());
    }
}
