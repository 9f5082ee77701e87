package dev.parley.anim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimTrack;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphTrack;
import com.jme3.anim.SkinningControl;
import com.jme3.anim.TransformTrack;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.export.binary.BinaryImporter;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import dev.parley.testing.LogCapture;
import dev.parley.testing.SyntheticHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class FaceClipsTest {

    /**
     * Regression: every baked .j3o logged SEVERE "initialCapacity must be greater than zero" from jME's
     * importer while loading, because a detached clip's stand-in geometry had a mesh with no buffers.
     */
    @Test
    void aDetachedClipLoadsBackWithoutSevereLogs() throws IOException {
        SyntheticHead head = SyntheticHead.create(40, 3, 5);
        int targets = head.targetNames.size();
        float[] times = {0f, 0.04f, 0.08f};
        float[] weights = new float[times.length * targets];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 0.1f * i - 0.3f;
        }
        Joint jaw = head.model.getControl(SkinningControl.class).getArmature().getJoint("jaw");
        Quaternion open = new Quaternion().fromAngles(0.2f, 0f, 0f);
        AnimClip clip = new AnimClip("line");
        clip.setTracks(new AnimTrack<?>[] {
            new MorphTrack(head.geometry, times, weights, targets),
            new TransformTrack(jaw, times, null, new Quaternion[] {Quaternion.IDENTITY, open, Quaternion.IDENTITY},
                    new Vector3f[] {Vector3f.UNIT_XYZ, Vector3f.UNIT_XYZ, Vector3f.UNIT_XYZ})});

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryExporter.getInstance().save(FaceClips.detached(clip), bytes);
        AnimClip loaded;
        try (LogCapture log = LogCapture.all()) {
            loaded = (AnimClip) BinaryImporter.getInstance().load(new ByteArrayInputStream(bytes.toByteArray()));
            log.assertNone(Level.SEVERE);
        }

        AnimClip bound = FaceClips.retarget(loaded, head.model);
        MorphTrack morph = (MorphTrack) bound.getTracks()[0];
        assertSame(head.geometry, morph.getTarget(), "retargeted to the model's geometry by name");
        assertArrayEquals(weights, morph.getWeights(), "weights survive the round trip exactly");
        TransformTrack joint = (TransformTrack) bound.getTracks()[1];
        assertSame(jaw, joint.getTarget());
        assertEquals(open, joint.getRotations()[1]);
    }
}
