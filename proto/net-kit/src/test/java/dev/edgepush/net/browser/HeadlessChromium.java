package dev.edgepush.net.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browser of the page tests (central-ingest's fleet page, edge-agent's /targets): Debian's
 * {@code chromium}, headless, through Debian's {@code chromedriver}, driven by Selenium. Nothing is
 * downloaded (no Selenium Manager): both paths are given. A test that calls {@link #start} is
 * skipped, saying why, when either is missing ({@code apt-get install chromium chromium-driver};
 * {@code .ci/run} installs both); {@code CHROMIUM} and {@code CHROMEDRIVER} name other paths.
 */
public final class HeadlessChromium {
    private HeadlessChromium() {}

    /** A new headless chromium at {@code width} x {@code height} CSS pixels; quit it when done. */
    public static WebDriver start(int width, int height) {
        String chromium = executable("CHROMIUM", "/usr/bin/chromium");
        String chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        Assumptions.assumeTrue(
                chromium != null && chromedriver != null,
                "SKIPPED: this browser test needs chromium and chromedriver, and "
                        + (chromium == null ? "chromium" : "chromedriver")
                        + " is not installed (apt-get install chromium"
                        + " chromium-driver, as .ci/run does; or set CHROMIUM and CHROMEDRIVER to their paths)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=" + width + "," + height,
                "--hide-scrollbars",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** Saves what the browser shows to {@code target/<name>} (a build artefact); returns its path. */
    public static Path screenshot(WebDriver browser, String name) throws IOException {
        Path out = Path.of("target", name);
        Files.createDirectories(out.getParent());
        Files.copy(
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                out,
                StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    private static String executable(String env, String fallback) {
        String path = System.getenv().getOrDefault(env, fallback);
        return Files.isExecutable(Path.of(path)) ? path : null;
    }
}
