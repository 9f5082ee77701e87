package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.state.BaseAppState;
import com.jme3.input.KeyInput;
import com.jme3.input.controls.ActionListener;
import com.jme3.input.controls.KeyTrigger;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import dev.parley.util.Validate;

/**
 * A conversation camera, as games frame dialogue: a close shot of the speaker, face on, near enough that
 * the lips span {@link #LIPS_PX} pixels (at 720 lines), with the listener in view beside and behind. The
 * speaker sits right of centre when the listener shows on the left, and left of centre otherwise; the two
 * look at each other. It follows the faces as they sway. While enabled it owns the camera;
 * {@link OrbitCameraState} takes over again when it is disabled. The C key switches between the two.
 */
public class DialogueCameraState extends BaseAppState {

    /** How wide the speaker's lips should appear, in pixels at the window's height of 720. */
    public static final float LIPS_PX = 105f;
    /** The vertical field of view, degrees. */
    public static final float FOV_Y = 30f;

    /** Where the speaker's face sits across the screen (0 left, 1 right) with the listener on the left. */
    private static final float SPEAKER_X = 0.56f;

    private static final String TOGGLE = "ParleyDialogueCamera";

    private final ActionListener toggle = (name, pressed, tpf) -> {
        if (pressed) {
            setEnabled(!isEnabled());
        }
    };
    private CastMember speaker;
    private CastMember listener;
    /** The field of view the camera had before this state took it, restored when it lets go (degrees). */
    private float otherFovY = FOV_Y;

    /**
     * Frames a conversation (or none).
     *
     * @param newSpeaker who talks (null: frame nothing)
     * @param newListener who listens (not null with a speaker, not the speaker)
     */
    public void frame(CastMember newSpeaker, CastMember newListener) {
        release();
        if (newSpeaker == null) {
            return;
        }
        Validate.nonNull(newListener, "newListener");
        if (newSpeaker == newListener) {
            throw new IllegalArgumentException("the speaker cannot listen to itself: " + newSpeaker);
        }
        speaker = newSpeaker;
        listener = newListener;
        speaker.talker().lookAt(face(listener, new Vector3f()));
        listener.talker().lookAt(face(speaker, new Vector3f()));
        if (isEnabled()) {
            apply();
        }
    }

    /**
     * Picks whom a speaker talks to in a shot: of the others, the one nearest the speaker's line of sight
     * (best seen beside the speaker from the front).
     *
     * @param cast the characters (not null, unaffected)
     * @param speaker who talks (not null, one of {@code cast})
     * @return the listener (not null)
     * @throws IllegalArgumentException if the cast has no one else
     */
    public static CastMember listenerFor(java.util.List<CastMember> cast, CastMember speaker) {
        Validate.nonNull(cast, "cast");
        Validate.nonNull(speaker, "speaker");
        Vector3f s = face(speaker, new Vector3f());
        Vector3f facing = speaker.node().getWorldRotation().mult(Vector3f.UNIT_Z);
        CastMember best = null;
        float bestScore = Float.MAX_VALUE;
        for (CastMember c : cast) {
            if (c == speaker) {
                continue;
            }
            // Seen from in front of the speaker, the listener's angle off the speaker's line, lightly
            // favouring those behind (they show beside the speaker) and nearer ones.
            Vector3f d = face(c, new Vector3f()).subtractLocal(s).setY(0f);
            Vector3f eye = facing.mult(0.8f);
            float angle = Math.abs(FastMath.atan2(eye.x * (d.z - eye.z) - eye.z * (d.x - eye.x),
                    -(eye.x * (d.x - eye.x) + eye.z * (d.z - eye.z))));
            float score = angle + 0.1f * d.length();
            if (score < bestScore) {
                bestScore = score;
                best = c;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no one to listen to " + speaker);
        }
        return best;
    }

    /** @return the framed speaker, or null */
    public CastMember speaker() {
        return speaker;
    }

    /** @return the framed listener, or null */
    public CastMember listener() {
        return listener;
    }

    private void release() {
        if (speaker != null) {
            speaker.talker().lookAt(null);
            listener.talker().lookAt(null);
        }
        speaker = null;
        listener = null;
    }

    /** A face's centre (between mouth and eyes) in world space. */
    private static Vector3f face(CastMember who, Vector3f store) {
        return who.mouthCenter(store).addLocal(0f, 0.045f, 0f);
    }

    @Override
    public void update(float tpf) {
        if (speaker != null) {
            apply();
        }
    }

    /** Places the camera for the current shot. */
    private void apply() {
        Camera cam = getApplication().getCamera();
        float aspect = (float) cam.getWidth() / cam.getHeight();
        cam.setFrustumPerspective(FOV_Y, aspect, 0.05f, 80f);
        Vector3f s = face(speaker, new Vector3f());
        Vector3f l = face(listener, new Vector3f());
        Vector3f facing = speaker.node().getWorldRotation().mult(Vector3f.UNIT_Z).setY(0f).normalizeLocal();
        Vector3f[] corners = speaker.mouthCorners();
        float lips = corners[0].distance(corners[1]);
        float tanHalfY = FastMath.tan(FOV_Y * FastMath.DEG_TO_RAD / 2f);
        float focal = (cam.getHeight() / 2f) / tanHalfY;
        float distance = focal * lips / (LIPS_PX * cam.getHeight() / 720f);
        Vector3f eye = s.add(facing.mult(distance)).addLocal(0f, -0.01f, 0f);
        cam.setLocation(eye);
        cam.lookAt(s, Vector3f.UNIT_Y);
        // Is the listener left of the speaker as the camera sees it? Then the speaker goes right of centre.
        boolean listenerLeft = cam.getLeft().dot(l.subtract(s)) > 0f;
        float x = listenerLeft ? SPEAKER_X : 1f - SPEAKER_X;
        float shift = FastMath.atan((x - 0.5f) * 2f * tanHalfY * aspect);
        cam.setRotation(new Quaternion().fromAngles(0f, shift, 0f).multLocal(cam.getRotation()));
    }

    @Override
    protected void initialize(Application app) {
        // Registered for the state's life, not while enabled: the key also switches it back on.
        app.getInputManager().addMapping(TOGGLE, new KeyTrigger(KeyInput.KEY_C));
        app.getInputManager().addListener(toggle, TOGGLE);
    }

    @Override
    protected void cleanup(Application app) {
        app.getInputManager().removeListener(toggle);
        app.getInputManager().deleteMapping(TOGGLE);
        release();
    }

    @Override
    protected void onEnable() {
        Camera cam = getApplication().getCamera();
        otherFovY = 2f * FastMath.atan(cam.getFrustumTop() / cam.getFrustumNear()) * FastMath.RAD_TO_DEG;
        OrbitCameraState orbit = getState(OrbitCameraState.class);
        if (orbit != null) {
            orbit.setEnabled(false);
        }
        if (speaker != null) {
            apply();
        }
    }

    @Override
    protected void onDisable() {
        Camera cam = getApplication().getCamera();
        cam.setFrustumPerspective(otherFovY, (float) cam.getWidth() / cam.getHeight(), cam.getFrustumNear(),
                cam.getFrustumFar());
        OrbitCameraState orbit = getState(OrbitCameraState.class);
        if (orbit != null) {
            orbit.setEnabled(true);
            orbit.snap();
        }
    }
}
