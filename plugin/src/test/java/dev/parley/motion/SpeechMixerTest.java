package dev.parley.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.math.Vector3f;
import org.junit.jupiter.api.Test;

class SpeechMixerTest {

    /** Blending in and out moves the jaw by small steps, slowest at both ends (no pops). */
    @Test
    void speechEasesInAndOutWithoutPops() {
        SpeechMixer mixer = new SpeechMixer(23, 24);
        MotionFrame idle = new MotionFrame(50);
        MotionFrame speech = new MotionFrame(50).setRotation(FaceJoint.JAW, 0.3f, 0f, 0f).setExpression(0, 1f);
        MotionFrame out = new MotionFrame(50);
        float tpf = 1 / 60f;
        float prev = 0f;
        float firstStep = -1f;
        float biggest = 0f;
        for (int i = 0; i < 30; i++) {
            mixer.update(tpf, true);
            mixer.mix(idle, speech, out);
            float jaw = out.getRotation(FaceJoint.JAW, new Vector3f()).x;
            if (firstStep < 0) {
                firstStep = jaw - prev;
            }
            biggest = Math.max(biggest, jaw - prev);
            prev = jaw;
        }
        assertEquals(0.3f, prev, 1e-6f);
        assertTrue(firstStep < 0.01f, "starts gently: " + firstStep);
        assertTrue(biggest < 0.04f, "largest step per frame " + biggest + " of a 0.3 rad move");
        for (int i = 0; i < 30; i++) {
            mixer.update(tpf, false);
        }
        mixer.mix(idle, speech, out);
        assertEquals(0f, out.getRotation(FaceJoint.JAW, new Vector3f()).x, 1e-6f);
    }

    @Test
    void idleBlinksAndHeadMotionContinueWhileSpeaking() {
        SpeechMixer mixer = new SpeechMixer(23, 24);
        MotionFrame idle = new MotionFrame(50).setExpression(23, 1f).setRotation(FaceJoint.HEAD, 0.01f, 0f, 0f)
                .setRotation(FaceJoint.EYE_L, 0.05f, 0f, 0f);
        MotionFrame speech = new MotionFrame(50).setRotation(FaceJoint.HEAD, 0.1f, 0f, 0f)
                .setRotation(FaceJoint.EYE_L, 1f, 1f, 1f);
        MotionFrame out = new MotionFrame(50);
        mixer.update(1f, true);
        mixer.mix(idle, speech, out);
        assertEquals(1f, out.expression(23));
        assertEquals(0.11f, out.getRotation(FaceJoint.HEAD, new Vector3f()).x, 1e-6f);
        assertEquals(new Vector3f(0.05f, 0f, 0f), out.getRotation(FaceJoint.EYE_L, new Vector3f()));
    }
}
