package dev.parley.util;

import com.jme3.post.SceneProcessor;
import com.jme3.profile.AppProfiler;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.renderer.queue.RenderQueue;
import com.jme3.texture.FrameBuffer;
import com.jme3.util.BufferUtils;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Copies the frame its viewport renders into an image on request: add it to a viewport with
 * {@code viewPort.addProcessor(grabber)}, call {@link #request()} on the render thread, and the
 * future completes after the next frame. For previews, thumbnails and render tests on desktop
 * renderers. Reads the whole viewport back from the GPU, so it stalls that frame.
 */
public final class FrameGrabber implements SceneProcessor {

    private RenderManager renderManager;
    private int width;
    private int height;
    private CompletableFuture<BufferedImage> pending;

    /**
     * Asks for the next rendered frame. Call on the render thread.
     *
     * @return completes with the frame (RGB, top row first; a new image each time) after it renders
     */
    public CompletableFuture<BufferedImage> request() {
        if (pending == null) {
            pending = new CompletableFuture<>();
        }
        return pending;
    }

    @Override
    public void initialize(RenderManager rm, ViewPort vp) {
        renderManager = rm;
        width = vp.getCamera().getWidth();
        height = vp.getCamera().getHeight();
    }

    @Override
    public void reshape(ViewPort vp, int w, int h) {
        width = w;
        height = h;
    }

    @Override
    public boolean isInitialized() {
        return renderManager != null;
    }

    @Override
    public void preFrame(float tpf) {
    }

    @Override
    public void postQueue(RenderQueue rq) {
    }

    @Override
    public void postFrame(FrameBuffer out) {
        CompletableFuture<BufferedImage> r = pending;
        if (r == null) {
            return;
        }
        pending = null;
        ByteBuffer buf = BufferUtils.createByteBuffer(width * height * 4);
        renderManager.getRenderer().readFrameBuffer(out, buf);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = ((height - 1 - y) * width + x) * 4; // GL rows run bottom-up
                img.setRGB(x, y,
                        ((buf.get(i) & 0xff) << 16) | ((buf.get(i + 1) & 0xff) << 8) | (buf.get(i + 2) & 0xff));
            }
        }
        r.complete(img);
    }

    @Override
    public void cleanup() {
    }

    @Override
    public void setProfiler(AppProfiler profiler) {
    }
}
