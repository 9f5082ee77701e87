package dev.parley.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.math.Vector3f;
import dev.parley.head.MotionLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class MotionTrackTest {

    static final MotionLayout LAYOUT = new MotionLayout(56, 25, List.of(
            new MotionLayout.Slice("expression", 0, 50, null),
            new MotionLayout.Slice("jaw", 50, 3, "jaw"),
            new MotionLayout.Slice("head", 53, 3, "neck")));

    /** Frame i has expression[k] = i + k/100 and jaw x = 0.01 i. */
    static float[] ramp(int count, int start) {
        float[] v = new float[count * 56];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < 50; k++) {
                v[i * 56 + k] = (start + i) + k / 100f;
            }
            v[i * 56 + 50] = 0.01f * (start + i);
            v[i * 56 + 54] = -0.02f * (start + i);
        }
        return v;
    }

    @Test
    void interpolatesBetweenFramesAtRenderRate() {
        MotionTrack track = new MotionTrack(LAYOUT, 4);
        track.append(ramp(10, 0), 0, 10);
        MotionFrame f = new MotionFrame(50);
        assertTrue(track.sample(0.1f, f)); // frame 2.5
        assertEquals(2.5f + 0.07f, f.expression(7), 1e-5f);
        assertEquals(0.025f, f.getRotation(FaceJoint.JAW, new Vector3f()).x, 1e-6f);
        assertEquals(-0.05f, f.getRotation(FaceJoint.HEAD, new Vector3f()).y, 1e-6f);
    }

    @Test
    void growsAcrossAppendsAndHoldsTheLastFrame() {
        MotionTrack track = new MotionTrack(LAYOUT, 2);
        track.append(ramp(3, 0), 0, 3);
        track.append(ramp(5, 3), 56, 4); // frames 4..7 from offset one frame in
        assertEquals(7, track.frameCount());
        MotionFrame f = new MotionFrame(50);
        track.sample(100f, f);
        assertEquals(7f, f.expression(0), 1e-6f);
        track.sample(3f / 25f, f);
        assertEquals(4f, f.expression(0), 1e-6f, "frame 3 is the first appended from offset 56, i.e. ramp value 4");
    }

    @Test
    void emptyTrackLeavesTheFrameAlone() {
        MotionFrame f = new MotionFrame(50).setExpression(0, 0.3f);
        assertFalse(new MotionTrack(LAYOUT, 1).sample(0f, f));
        assertEquals(0.3f, f.expression(0));
    }

    @Test
    void outOfRangeAppendIsRejected() {
        MotionTrack track = new MotionTrack(LAYOUT, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> track.append(new float[100], 0, 2));
        assertEquals("cannot take 2 frames at offset 0 from 100 values of dimension 56", e.getMessage());
    }
}
