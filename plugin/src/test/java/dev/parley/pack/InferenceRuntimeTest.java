package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs against the real ONNX Runtime native library. */
class InferenceRuntimeTest {

    @TempDir
    Path dir;

    @Test
    void fallsBackToTheCpuWithAReasonWhenCudaIsUnusable() {
        InferenceRuntime rt = InferenceRuntime.create(2, true);
        if (rt.device() == InferenceRuntime.Device.CPU) {
            assertTrue(rt.describe().startsWith("Parley inference on CPU (2 threads; CUDA unavailable: "),
                    rt.describe());
        } else {
            assertEquals("Parley inference on CUDA (GPU 0)", rt.describe());
        }
    }

    @Test
    void cpuWhenCudaNotRequested() {
        InferenceRuntime rt = InferenceRuntime.create(1, false);
        assertEquals(InferenceRuntime.Device.CPU, rt.device());
        assertEquals("Parley inference on CPU (1 thread; CUDA not requested)", rt.describe());
    }

    @Test
    void missingModelFileIsNamed() {
        InferenceRuntime rt = InferenceRuntime.create(1, false);
        Path missing = dir.resolve("denoiser.onnx");
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> rt.open(missing));
        assertEquals(missing + " does not exist", e.getMessage());
    }

    @Test
    void corruptModelFileIsNamed() throws IOException {
        InferenceRuntime rt = InferenceRuntime.create(1, false);
        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> rt.open(junk));
        assertTrue(e.getMessage().startsWith(junk + " is not a loadable ONNX model: "), e.getMessage());
    }
}
