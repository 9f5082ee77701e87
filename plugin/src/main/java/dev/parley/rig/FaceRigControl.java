package dev.parley.rig;

import com.jme3.anim.AnimComposer;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.AbstractControl;
import dev.parley.motion.MotionFrame;
import dev.parley.util.Validate;

/**
 * Applies this control's {@link MotionFrame} to a {@link FaceRig} once per frame, during the
 * logical update. Attach it after any {@link AnimComposer} on the same spatial (as
 * {@link #attach(Spatial, RigNames)} does) so face joints are posed after body animation.
 *
 * <p>The frame belongs to the render thread: write it from the update loop or from a task queued
 * with {@code app.enqueue}, never from a worker thread.
 */
public class FaceRigControl extends AbstractControl {

    private final FaceRig rig;
    private final MotionFrame frame;

    /**
     * @param rig the bound rig (not null)
     */
    public FaceRigControl(FaceRig rig) {
        this.rig = Validate.nonNull(rig, "rig");
        this.frame = new MotionFrame(rig.expressionCount());
    }

    /**
     * Binds a model and adds a control for it: on the spatial holding the armature (after its
     * AnimComposer, if any), or on the model itself when it has no armature.
     *
     * @param model the loaded model (not null)
     * @param names the control names (not null, unaffected)
     * @return the new control, already added (not null)
     * @throws RigBindingException if a control is missing
     */
    public static FaceRigControl attach(Spatial model, RigNames names) {
        FaceRig rig = FaceRig.bind(model, names);
        FaceRigControl control = new FaceRigControl(rig);
        Spatial host = rig.getSkinnedSpatial() != null ? rig.getSkinnedSpatial() : model;
        host.addControl(control);
        return control;
    }

    /** @return the rig this control drives (not null) */
    public FaceRig getRig() {
        return rig;
    }

    /** @return the live frame applied every update (not null; the control's own instance, modify in place) */
    public MotionFrame getFrame() {
        return frame;
    }

    @Override
    protected void controlUpdate(float tpf) {
        rig.apply(frame);
    }

    @Override
    protected void controlRender(RenderManager rm, ViewPort vp) {
        // Nothing: skinning reads the joints and buffers set in controlUpdate.
    }
}
