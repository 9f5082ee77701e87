package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.state.BaseAppState;
import com.jme3.input.InputManager;
import com.jme3.input.MouseInput;
import com.jme3.input.controls.ActionListener;
import com.jme3.input.controls.AnalogListener;
import com.jme3.input.controls.MouseAxisTrigger;
import com.jme3.input.controls.MouseButtonTrigger;
import com.jme3.math.FastMath;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import dev.parley.util.Validate;

/**
 * A camera that orbits a target: drag with the left or right mouse button to orbit, wheel to zoom.
 * {@link #frame} glides to a new target (the speaker's face) from the front of a given facing.
 * Mouse events that Lemur consumes (over the panel) never reach it.
 */
public class OrbitCameraState extends BaseAppState {

    private static final String DRAG = "ParleyOrbitDrag";
    private static final String[] AXES = {"ParleyOrbitLeft", "ParleyOrbitRight", "ParleyOrbitUp", "ParleyOrbitDown",
        "ParleyZoomIn", "ParleyZoomOut"};
    private static final float MIN_DISTANCE = 0.35f;
    private static final float MAX_DISTANCE = 9f;

    private final Vector3f target = new Vector3f(0f, 1.5f, 0f);
    private final Vector3f goalTarget = new Vector3f(0f, 1.5f, 0f);
    private float yaw;
    private float pitch = 0.08f;
    private float distance = 3f;
    private float goalYaw;
    private float goalPitch = 0.08f;
    private float goalDistance = 3f;
    private boolean dragging;

    private final ActionListener drag = (name, pressed, tpf) -> dragging = pressed;
    private final AnalogListener motion = (name, value, tpf) -> {
        switch (name) {
            case "ParleyOrbitLeft" -> goalYaw += dragging ? 3f * value : 0f;
            case "ParleyOrbitRight" -> goalYaw -= dragging ? 3f * value : 0f;
            case "ParleyOrbitUp" -> goalPitch = clampPitch(goalPitch - (dragging ? 3f * value : 0f));
            case "ParleyOrbitDown" -> goalPitch = clampPitch(goalPitch + (dragging ? 3f * value : 0f));
            case "ParleyZoomIn" -> goalDistance = clampDistance(goalDistance * (1f - 0.8f * value));
            case "ParleyZoomOut" -> goalDistance = clampDistance(goalDistance * (1f + 0.8f * value));
            default -> {
            }
        }
    };

    /**
     * Glides to look at a point from a direction.
     *
     * @param point the point to look at (not null, unaffected)
     * @param facing the direction the camera should look from, e.g. the speaker's facing (not null, unaffected)
     * @param newDistance the distance from the point in meters (clamped to the zoom range)
     */
    public void frame(Vector3f point, Vector3f facing, float newDistance) {
        Validate.nonNull(point, "point");
        Validate.nonNull(facing, "facing");
        goalTarget.set(point);
        float y = FastMath.atan2(facing.x, facing.z);
        // Take the short way round.
        while (y - goalYaw > FastMath.PI) {
            y -= FastMath.TWO_PI;
        }
        while (goalYaw - y > FastMath.PI) {
            y += FastMath.TWO_PI;
        }
        goalYaw = y;
        goalDistance = clampDistance(newDistance);
    }

    /** Jumps to the goal at once (for screenshots). */
    public void snap() {
        target.set(goalTarget);
        yaw = goalYaw;
        pitch = goalPitch;
        distance = goalDistance;
        apply();
    }

    /** @return the point the camera looks at (the state's own vector: do not modify) */
    public Vector3f target() {
        return target;
    }

    @Override
    protected void initialize(Application app) {
        Camera cam = app.getCamera();
        cam.setFrustumPerspective(32f, (float) cam.getWidth() / cam.getHeight(), 0.05f, 80f);
    }

    @Override
    public void update(float tpf) {
        float k = 1f - FastMath.exp(-Math.min(tpf, 0.1f) * 5f);
        target.interpolateLocal(goalTarget, k);
        yaw += (goalYaw - yaw) * k;
        pitch += (goalPitch - pitch) * k;
        distance += (goalDistance - distance) * k;
        apply();
    }

    private void apply() {
        Camera cam = getApplication().getCamera();
        float cp = FastMath.cos(pitch);
        Vector3f eye = new Vector3f(FastMath.sin(yaw) * cp, FastMath.sin(pitch), FastMath.cos(yaw) * cp)
                .multLocal(distance).addLocal(target);
        cam.setLocation(eye);
        cam.lookAt(target, Vector3f.UNIT_Y);
    }

    private static float clampPitch(float p) {
        return FastMath.clamp(p, -0.35f, 1.1f);
    }

    private static float clampDistance(float d) {
        return FastMath.clamp(d, MIN_DISTANCE, MAX_DISTANCE);
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
        InputManager input = getApplication().getInputManager();
        input.addMapping(DRAG, new MouseButtonTrigger(MouseInput.BUTTON_LEFT),
                new MouseButtonTrigger(MouseInput.BUTTON_RIGHT));
        input.addMapping(AXES[0], new MouseAxisTrigger(MouseInput.AXIS_X, true));
        input.addMapping(AXES[1], new MouseAxisTrigger(MouseInput.AXIS_X, false));
        input.addMapping(AXES[2], new MouseAxisTrigger(MouseInput.AXIS_Y, true));
        input.addMapping(AXES[3], new MouseAxisTrigger(MouseInput.AXIS_Y, false));
        input.addMapping(AXES[4], new MouseAxisTrigger(MouseInput.AXIS_WHEEL, false));
        input.addMapping(AXES[5], new MouseAxisTrigger(MouseInput.AXIS_WHEEL, true));
        input.addListener(drag, DRAG);
        input.addListener(motion, AXES);
    }

    @Override
    protected void onDisable() {
        InputManager input = getApplication().getInputManager();
        input.removeListener(drag);
        input.removeListener(motion);
        input.deleteMapping(DRAG);
        for (String a : AXES) {
            input.deleteMapping(a);
        }
        dragging = false;
    }
}
