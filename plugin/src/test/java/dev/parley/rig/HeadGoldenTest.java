package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jme3.anim.SkinningControl;
import com.jme3.asset.AssetManager;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.TestAssets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * The real head, loaded by jME's glTF loader, posed by Parley's exact CPU morph path and jME's
 * software skinning, must land on the vertex positions of the PyTorch head (the spec's linear model:
 * template + shape + expression blendshapes, then linear blend skinning over shaped joints), written by
 * {@code python3 -m parley.head.golden}. The same for a head imported from a FLAME-format model by
 * {@code python3 -m parley flame-import} ({@code python3 -m parley.head.flame_fixture} writes both).
 */
class HeadGoldenTest {

    @Test
    void javaRigMatchesThePythonHead() throws IOException {
        assertRigMatchesGolden("/golden/head-pose.json", TestAssets.HEAD_SPEC);
    }

    /** The imported head's spec, glb and shape basis load and bind like the open head's (a test resource). */
    @Test
    void importedFlameHeadMatchesThePythonHead() throws IOException {
        assertRigMatchesGolden("/golden/flame-fixture-pose.json", "FlameFixture/FlameHead.spec.json");
    }

    private static void assertRigMatchesGolden(String goldenResource, String specPath) throws IOException {
        JsonNode golden;
        try (InputStream in = HeadGoldenTest.class.getResourceAsStream(goldenResource)) {
            golden = new ObjectMapper().readTree(in);
        }
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, specPath);
        HeadShape shape = HeadShape.load(am, specPath, spec);
        String modelPath = specPath.substring(0, specPath.lastIndexOf('/') + 1) + spec.model();
        JsonNode vertices = golden.get("vertices");
        for (JsonNode c : golden.get("cases")) {
            Spatial head = am.loadModel(modelPath);
            if (c.has("beta")) {
                float[] beta = new float[c.get("beta").size()];
                for (int i = 0; i < beta.length; i++) {
                    beta[i] = (float) c.get("beta").get(i).asDouble();
                }
                shape.apply(head, spec, beta);
            }
            FaceRig rig = FaceRig.bind(head, RigNames.fromSpec(spec), MorphPath.CPU);
            assertInstanceOf(CpuMorphDeformer.class, rig.getDeformers().get(0));
            SkinningControl skinning = rig.getSkinnedSpatial().getControl(SkinningControl.class);
            skinning.setHardwareSkinningPreferred(false);

            MotionFrame frame = new MotionFrame(50);
            for (int i = 0; i < 50; i++) {
                frame.setExpression(i, (float) c.get("psi").get(i).asDouble());
            }
            JsonNode theta = c.get("theta");
            assertEquals(0.0, theta.get(0).asDouble() + theta.get(1).asDouble() + theta.get(2).asDouble(), 0.0,
                    "root stays at bind");
            set(frame, FaceJoint.HEAD, theta, 3);
            set(frame, FaceJoint.JAW, theta, 6);
            set(frame, FaceJoint.EYE_L, theta, 9);
            set(frame, FaceJoint.EYE_R, theta, 12);
            rig.apply(frame);
            head.updateLogicalState(0f);
            head.updateGeometricState();
            skinning.render(null, null);

            Geometry g = findGeometry(head, spec.vertexCount());
            FloatBuffer pos = (FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
            JsonNode expected = c.get("positions");
            double worst = 0;
            for (int k = 0; k < vertices.size(); k++) {
                int v = vertices.get(k).asInt();
                Vector3f p = g.localToWorld(new Vector3f(pos.get(3 * v), pos.get(3 * v + 1), pos.get(3 * v + 2)), null);
                for (int axis = 0; axis < 3; axis++) {
                    worst = Math.max(worst, Math.abs(p.get(axis) - expected.get(3 * k + axis).asDouble()));
                }
            }
            assertEquals(0.0, worst, 1e-5, c.get("name").asText() + ": worst vertex coordinate error (m)");
        }
    }

    private static void set(MotionFrame frame, FaceJoint joint, JsonNode theta, int offset) {
        frame.setRotation(joint, (float) theta.get(offset).asDouble(), (float) theta.get(offset + 1).asDouble(),
                (float) theta.get(offset + 2).asDouble());
    }

    private static Geometry findGeometry(Spatial s, int vertexCount) {
        Geometry[] out = new Geometry[1];
        s.depthFirstTraversal(c -> {
            if (c instanceof Geometry g && g.getMesh().getVertexCount() == vertexCount) {
                out[0] = g;
            }
        });
        return out[0];
    }
}
