package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimComposer;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphControl;
import com.jme3.anim.SkinningControl;
import com.jme3.anim.TransformTrack;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.material.Material;
import com.jme3.material.MaterialDef;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.shader.VarType;
import com.jme3.texture.Texture;
import dev.parley.anim.BakedFaceControl;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.LogCapture;
import dev.parley.testing.SyntheticHead;
import dev.parley.testing.TestAssets;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class FaceRigTest {

    private static RigNames names(SyntheticHead head) {
        Map<FaceJoint, String> joints = new EnumMap<>(FaceJoint.class);
        joints.put(FaceJoint.JAW, "jaw");
        joints.put(FaceJoint.HEAD, "neck");
        joints.put(FaceJoint.EYE_L, "eye_L");
        joints.put(FaceJoint.EYE_R, "eye_R");
        return RigNames.of(head.targetNames, joints);
    }

    /** jME's MorphControl drops weights under 0.005, so negative weights vanished; Parley's path must not. */
    @Test
    void signedAndTinyWeightsAreAppliedExactly() {
        SyntheticHead head = SyntheticHead.create(400, 50, 7);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        Random rnd = new Random(11);
        for (int trial = 0; trial < 5; trial++) {
            float[] w = new float[50];
            for (int i = 0; i < 50; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            w[0] = -0.8f;     // negative
            w[1] = 0.001f;    // below MorphControl's cut-off
            w[2] = -0.001f;
            frame.setExpression(w);
            rig.apply(frame);
            float[] got = head.positions();
            for (int v = 0; v < got.length; v++) {
                double expected = head.base[v];
                for (int t = 0; t < 50; t++) {
                    expected += (double) w[t] * head.deltas[t][v];
                }
                assertEquals(expected, got[v], 1e-6, "vertex coordinate " + v + " in trial " + trial);
            }
        }
    }

    /** Regression: clones of one loaded model share bind-pose buffers, so one face deformed the others. */
    @Test
    void clonesOfOneModelDeformIndependently() {
        SyntheticHead head = SyntheticHead.create(200, 50, 9);
        com.jme3.scene.Node twin = head.model.clone(true);
        FaceRig a = FaceRig.bind(head.model, names(head), MorphPath.CPU);
        FaceRig b = FaceRig.bind(twin, names(head), MorphPath.CPU);
        a.apply(new MotionFrame(50).setExpression(4, 1.5f));
        b.apply(new MotionFrame(50));
        com.jme3.scene.Geometry twinGeometry = (com.jme3.scene.Geometry) twin.getChild("SyntheticFace");
        for (com.jme3.scene.VertexBuffer.Type type : new com.jme3.scene.VertexBuffer.Type[] {
                com.jme3.scene.VertexBuffer.Type.Position, com.jme3.scene.VertexBuffer.Type.BindPosePosition}) {
            java.nio.FloatBuffer fb = (java.nio.FloatBuffer) twinGeometry.getMesh().getBuffer(type).getData();
            for (int i = 0; i < head.base.length; i++) {
                assertEquals(head.base[i], fb.get(i), 1e-7, type + " coordinate " + i + " of the untouched twin");
            }
        }
    }

    @Test
    void negativeWeightMovesOppositeToPositive() {
        SyntheticHead head = SyntheticHead.create(100, 50, 3);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        rig.apply(frame.setExpression(5, 0.5f));
        float[] plus = head.positions();
        rig.apply(frame.setExpression(5, -0.5f));
        float[] minus = head.positions();
        int moved = 0;
        for (int i = 0; i < plus.length; i++) {
            assertEquals(head.base[i] - (plus[i] - head.base[i]), minus[i], 1e-6, "coordinate " + i);
            if (head.deltas[5][i] != 0f) {
                moved++;
            }
        }
        assertTrue(moved > 0, "target 5 must move some vertices");
    }

    @Test
    void zeroWeightsRestoreTheBaseMesh() {
        SyntheticHead head = SyntheticHead.create(100, 50, 5);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        rig.apply(frame.setExpression(9, 1.3f).setExpression(40, -2f));
        rig.apply(frame.setNeutral());
        float[] got = head.positions();
        for (int i = 0; i < got.length; i++) {
            assertEquals(head.base[i], got[i], 1e-7, "coordinate " + i);
        }
    }

    @Test
    void jointRotationIsBindTimesDeltaAndNeverAccumulates() {
        SyntheticHead head = SyntheticHead.create(60, 50, 1);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        Joint jaw = rig.getJoint(FaceJoint.JAW);
        Quaternion bind = jaw.getLocalRotation().clone();
        MotionFrame frame = new MotionFrame(50).setRotation(FaceJoint.JAW, 0.3f, 0f, 0f);
        Quaternion expected = bind.mult(new Quaternion().fromAngleAxis(0.3f, Vector3f.UNIT_X));
        for (int i = 0; i < 5; i++) {
            rig.apply(frame);
            assertTrue(jaw.getLocalRotation().isSimilar(expected, 1e-6f), "after apply #" + i + ": "
                    + jaw.getLocalRotation());
        }
        rig.apply(frame.setNeutral());
        assertTrue(jaw.getLocalRotation().isSimilar(bind, 1e-6f));
    }

    @Test
    void missingMorphTargetNamesWhatWasFound() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        RigNames wrong = names(head).withMorphTarget(3, "lip_close");
        RigBindingException e = assertThrows(RigBindingException.class, () -> FaceRig.bind(head.model, wrong));
        assertTrue(e.getMessage().contains("'lip_close'") || e.getMessage().contains("[lip_close]"), e.getMessage());
        assertTrue(e.getMessage().contains("morph targets found: [expr00"), e.getMessage());
    }

    /**
     * Two meshes of the same size whose first target is all zeros (one that moves neither) each get their own
     * delta texture; a clone shares its model's.
     */
    @Test
    void gpuDeltaTexturesAreSharedByMeshNotByContent() {
        SyntheticHead a = SyntheticHead.create(30, 50, 3);
        SyntheticHead b = SyntheticHead.create(30, 50, 4);
        Texture ta = gpuDeltas(a);
        Texture tb = gpuDeltas(b);
        assertNotSame(ta, tb);
        Spatial twin = a.model.clone(false);
        Geometry twinGeometry = (Geometry) ((Node) twin).getChild("SyntheticFace");
        assertSame(ta, twinGeometry.getMaterial().getTextureParam("ParleyMorphDeltas").getTextureValue());
    }

    private static Texture gpuDeltas(SyntheticHead head) {
        FloatBuffer first = head.geometry.getMesh().getMorphTargets()[0].getBuffer(VertexBuffer.Type.Position);
        for (int i = 0; i < first.limit(); i++) {
            first.put(i, 0f);
        }
        head.geometry.setMaterial(new Material(TestAssets.assetManager(), "Parley/MatDefs/Face/Face.j3md"));
        head.model.addControl(new FaceRigControl(FaceRig.bind(head.model, names(head), MorphPath.GPU)));
        return head.geometry.getMaterial().getTextureParam("ParleyMorphDeltas").getTextureValue();
    }

    /** A material written for an older face shader: weights, but not where the shader's loop may end. */
    @Test
    void aMaterialWithoutTheLoopEndMorphsOnTheCpuOrNamesWhatItLacks() {
        MaterialDef old = new MaterialDef(TestAssets.assetManager(), "OldFace");
        old.addMaterialParam(VarType.FloatArray, GpuMorphDeformer.WEIGHTS_PARAM, null);
        old.addMaterialParam(VarType.Int, "ParleyMorphTargetCount", null);
        old.addMaterialParam(VarType.Int, "ParleyMorphVertexCount", null);
        old.addMaterialParam(VarType.Texture2D, "ParleyMorphDeltas", null);
        SyntheticHead auto = SyntheticHead.create(30, 50, 2);
        auto.geometry.setMaterial(new Material(old));
        try (LogCapture log = LogCapture.of(GpuMorphDeformer.class)) {
            assertInstanceOf(CpuMorphDeformer.class, FaceRig.bind(auto.model, names(auto)).getDeformers().get(0));
            log.assertLogged(Level.WARNING, "morphs on the CPU: its material, material definition 'OldFace', has "
                    + "ParleyMorphWeights but lacks [ParleyMorphActiveEnd]");
        }
        SyntheticHead gpu = SyntheticHead.create(30, 50, 2);
        gpu.geometry.setMaterial(new Material(old));
        RigBindingException e = assertThrows(RigBindingException.class,
                () -> FaceRig.bind(gpu.model, names(gpu), MorphPath.GPU));
        assertTrue(e.getMessage().contains("'OldFace', which lacks [ParleyMorphActiveEnd]"), e.getMessage());
    }

    @Test
    void missingJointNamesWhatWasFound() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        RigNames wrong = names(head).withJoint(FaceJoint.JAW, "Jaw_Bone");
        RigBindingException e = assertThrows(RigBindingException.class, () -> FaceRig.bind(head.model, wrong));
        assertTrue(e.getMessage().contains("JAW joint 'Jaw_Bone'"), e.getMessage());
        assertTrue(e.getMessage().contains("joints found: [root, neck, jaw, eye_L, eye_R]"), e.getMessage());
    }

    @Test
    void undrivenJointIsLeftAlone() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        FaceRig rig = FaceRig.bind(head.model, names(head).withJoint(FaceJoint.EYE_L, null));
        assertNull(rig.getJoint(FaceJoint.EYE_L));
        assertNotNull(rig.getJoint(FaceJoint.EYE_R));
    }

    @Test
    void bindingRemovesMorphControl() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        head.geometry.setMaterial(new Material(TestAssets.assetManager(), "Common/MatDefs/Misc/Unshaded.j3md"));
        head.geometry.addControl(new MorphControl());
        FaceRig rig = FaceRig.bind(head.model, names(head));
        assertNull(head.geometry.getControl(MorphControl.class));
        // Regression: jME's own materials define a MorphWeights parameter, which once made AUTO pick the GPU path.
        assertInstanceOf(CpuMorphDeformer.class, rig.getDeformers().get(0));
    }

    /** Face joints keep working while an AnimComposer plays body animation on another joint. */
    @Test
    void worksAlongsideAnimComposer() {
        SyntheticHead head = SyntheticHead.create(60, 50, 4);
        SkinningControl skinning = head.model.getControl(SkinningControl.class);
        Joint root = skinning.getArmature().getJoint("root");
        float[] times = {0f, 1f, 2f};
        Quaternion[] rots = {new Quaternion(), new Quaternion().fromAngleAxis(0.5f, Vector3f.UNIT_Z), new Quaternion()};
        Vector3f[] trans = {root.getLocalTranslation().clone(), root.getLocalTranslation().clone(),
                root.getLocalTranslation().clone()};
        AnimClip sway = new AnimClip("sway");
        sway.setTracks(new TransformTrack[] {new TransformTrack(root, times, trans, rots, null)});
        AnimComposer composer = new AnimComposer();
        composer.addAnimClip(sway);
        head.model.addControl(composer);
        composer.setCurrentAction("sway");

        FaceRigControl face = FaceRigControl.attach(head.model, names(head));
        List<?> order = List.of(head.model.getControl(0), head.model.getControl(1), head.model.getControl(2));
        assertEquals(face, order.get(2), "face control must run after the AnimComposer");
        face.getFrame().setRotation(FaceJoint.JAW, 0.25f, 0f, 0f);
        for (int i = 0; i < 30; i++) {
            head.model.updateLogicalState(1f / 30f);
        }
        float rootAngle = root.getLocalRotation().toAngleAxis(new Vector3f());
        assertEquals(0.5f, rootAngle, 0.02f, "body animation drives the root joint");
        float jawAngle = face.getRig().getJoint(FaceJoint.JAW).getLocalRotation().toAngleAxis(new Vector3f());
        assertEquals(0.25f, jawAngle, 1e-5f, "face rig drives the jaw");
        assertTrue(FastMath.abs(rootAngle - jawAngle) > 0.1f);
    }

    private static float[] positions(Spatial model) {
        Geometry g = (Geometry) ((Node) model).getChild("SyntheticFace");
        FloatBuffer fb = (FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        float[] out = new float[fb.limit()];
        fb.duplicate().rewind().get(out);
        return out;
    }

    private static float[] expected(SyntheticHead head, int target, float weight) {
        float[] out = head.base.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += weight * head.deltas[target][i];
        }
        return out;
    }

    /** jME's clone contract: a cloned model's face control drives the clone, never the original. */
    @Test
    void aClonedModelGetsItsOwnFaceRigControl() {
        SyntheticHead head = SyntheticHead.create(200, 50, 21);
        FaceRigControl face = FaceRigControl.attach(head.model, names(head));
        face.getFrame().setExpression(4, 1f);
        face.update(0f);

        Spatial twin = head.model.clone();
        FaceRigControl twinFace = twin.getControl(FaceRigControl.class);
        assertNotSame(face, twinFace);
        assertSame(twin, twinFace.getRig().getModel(), "the clone's rig is bound to the clone");
        assertNotSame(face.getFrame(), twinFace.getFrame());
        assertEquals(1f, twinFace.getFrame().expression(4), "the clone starts from a copy of the frame");
        Joint jaw = face.getRig().getJoint(FaceJoint.JAW);
        Joint twinJaw = twinFace.getRig().getJoint(FaceJoint.JAW);
        assertNotSame(jaw, twinJaw);
        assertSame(twin.getControl(SkinningControl.class).getArmature().getJoint("jaw"), twinJaw);

        twinFace.getFrame().setExpression(4, -1f).setRotation(FaceJoint.JAW, 0.3f, 0f, 0f);
        twinFace.update(0f);
        face.update(0f);
        assertArrayEquals(expected(head, 4, 1f), positions(head.model), 1e-6f, "the original keeps its own pose");
        assertArrayEquals(expected(head, 4, -1f), positions(twin), 1e-6f, "the clone shows its frame");
        assertEquals(0f, jaw.getLocalRotation().toAngleAxis(new Vector3f()), 1e-6f, "the original jaw stays shut");
        assertEquals(0.3f, twinJaw.getLocalRotation().toAngleAxis(new Vector3f()), 1e-5f);

        face.getFrame().setExpression(4, 0.5f);
        face.update(0f);
        assertArrayEquals(expected(head, 4, -1f), positions(twin), 1e-6f, "the original's change leaves the clone");
    }

    /** On the GPU path, weights are material parameters: a clone needs its own material. */
    @Test
    void aClonedGpuMorphedModelGetsItsOwnMaterial() {
        SyntheticHead head = SyntheticHead.create(60, 50, 22);
        head.geometry.setMaterial(new Material(TestAssets.assetManager(), "Parley/MatDefs/Face/Face.j3md"));
        FaceRigControl face = new FaceRigControl(FaceRig.bind(head.model, names(head), MorphPath.GPU));
        head.model.addControl(face);
        Spatial twin = head.model.clone(false);
        FaceRigControl twinFace = twin.getControl(FaceRigControl.class);
        Geometry twinGeometry = (Geometry) ((Node) twin).getChild("SyntheticFace");
        assertSame(twinGeometry, twinFace.getRig().getDeformers().get(0).getGeometry());
        assertNotSame(head.geometry.getMaterial(), twinGeometry.getMaterial());

        twinFace.getFrame().setExpression(7, 0.8f);
        twinFace.update(0f);
        face.update(0f);
        float[] mine = (float[]) head.geometry.getMaterial().getParamValue(GpuMorphDeformer.WEIGHTS_PARAM);
        float[] theirs = (float[]) twinGeometry.getMaterial().getParamValue(GpuMorphDeformer.WEIGHTS_PARAM);
        assertEquals(0f, mine[7]);
        assertEquals(0.8f, theirs[7]);
    }

    /** A baked clip's control reads the clone's morph state and deforms the clone only. */
    @Test
    void aClonedModelGetsItsOwnBakedFaceControl() {
        SyntheticHead head = SyntheticHead.create(120, 50, 23);
        BakedFaceControl baked = BakedFaceControl.attach(head.model, names(head));
        Spatial twin = head.model.clone();
        BakedFaceControl twinBaked = twin.getControl(BakedFaceControl.class);
        assertNotSame(baked, twinBaked);
        assertSame(twin, twinBaked.getRig().getModel());
        Geometry twinGeometry = (Geometry) ((Node) twin).getChild("SyntheticFace");
        float[] state = new float[50];
        state[3] = 0.7f;
        twinGeometry.setMorphState(state);
        head.geometry.setMorphState(new float[50]);
        twinBaked.update(0f);
        baked.update(0f);
        assertArrayEquals(head.base, positions(head.model), 1e-6f, "the original shows its own (neutral) state");
        assertArrayEquals(expected(head, 3, 0.7f), positions(twin), 1e-6f);
        assertEquals(0.7f, twinBaked.getWeights(new float[50])[3]);
        assertEquals(0f, baked.getWeights(new float[50])[3]);
    }

    /** Cloning only a part of the model would leave the clone's rig pointing at the original. */
    @Test
    void cloningAPartOfTheModelIsRefusedByName() {
        SyntheticHead head = SyntheticHead.create(40, 50, 24);
        Node outer = new Node("Outer");
        outer.attachChild(head.model);
        FaceRigControl face = FaceRigControl.attach(outer, names(head));
        assertSame(head.model, face.getSpatial(), "the control sits on the skinned spatial, below the model's root");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> head.model.clone());
        assertTrue(e.getMessage().contains("'Outer'") && e.getMessage().contains("whole model"), e.getMessage());
    }

    /** Face controls are not saved: saving says so instead of writing a control that cannot load. */
    @Test
    void savingAModelWithFaceControlsIsRefusedClearly() {
        SyntheticHead head = SyntheticHead.create(40, 50, 25);
        FaceRigControl.attach(head.model, names(head));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> BinaryExporter.getInstance().save(head.model, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("FaceRigControl on 'SyntheticHead' is not saved"), e.getMessage());
    }
}
