package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadLook;
import dev.parley.head.HeadSpec;
import dev.parley.rig.FaceRigControl;
import dev.parley.rig.RigNames;

/** A lit studio with one Parley head bound to a face rig, framed by the camera. */
public class StudioSceneState extends BaseAppState {

    /** The head model's asset path. */
    public static final String HEAD_MODEL = "Models/ParleyHead/ParleyHead.glb";
    /** The head spec's asset path. */
    public static final String HEAD_SPEC = "Models/ParleyHead/ParleyHead.spec.json";

    private final Node root = new Node("Studio");
    private HeadSpec spec;
    private FaceRigControl face;

    @Override
    protected void initialize(Application app) {
        spec = HeadSpec.load(app.getAssetManager(), HEAD_SPEC);
        Spatial head = app.getAssetManager().loadModel(HEAD_MODEL);
        HeadLook.apply(head, app.getAssetManager());
        face = FaceRigControl.attach(head, RigNames.fromSpec(spec));
        root.attachChild(head);

        DirectionalLight key = new DirectionalLight(new Vector3f(-0.45f, -0.35f, -0.8f).normalizeLocal(),
                new ColorRGBA(1.0f, 0.95f, 0.88f, 1f).multLocal(0.95f));
        DirectionalLight fill = new DirectionalLight(new Vector3f(0.6f, -0.1f, -0.5f).normalizeLocal(),
                new ColorRGBA(0.55f, 0.62f, 0.75f, 1f).multLocal(0.45f));
        DirectionalLight rim = new DirectionalLight(new Vector3f(0.2f, -0.3f, 0.9f).normalizeLocal(),
                new ColorRGBA(0.9f, 0.9f, 1f, 1f).multLocal(0.35f));
        root.addLight(key);
        root.addLight(fill);
        root.addLight(rim);
        root.addLight(new AmbientLight(new ColorRGBA(0.32f, 0.3f, 0.3f, 1f)));

        // Frame the face: between the eyes, slightly below, from the front.
        float[] eyeL = spec.joints().get(3).rest();
        float[] eyeR = spec.joints().get(4).rest();
        Vector3f target = new Vector3f((eyeL[0] + eyeR[0]) / 2, (eyeL[1] + eyeR[1]) / 2 - 0.035f, (eyeL[2] + eyeR[2]) / 2);
        app.getCamera().setFrustumPerspective(30f, (float) app.getCamera().getWidth() / app.getCamera().getHeight(), 0.05f, 50f);
        app.getCamera().setLocation(target.add(0.09f, 0.02f, 0.46f));
        app.getCamera().lookAt(target, Vector3f.UNIT_Y);
        app.getViewPort().setBackgroundColor(new ColorRGBA(0.16f, 0.18f, 0.22f, 1f));
    }

    /** @return the head's spec (not null once initialized) */
    public HeadSpec getSpec() {
        return spec;
    }

    /** @return the head's face control (not null once initialized) */
    public FaceRigControl getFace() {
        return face;
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
        ((SimpleApplication) getApplication()).getRootNode().attachChild(root);
    }

    @Override
    protected void onDisable() {
        root.removeFromParent();
    }
}
