package io.github.stytchmigration.sample.testing;

import io.nayuki.qrcodegen.QrCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the dark modules back out of the sample's SVG QR code, to compare with what the text encodes to. */
public final class QrImages {
    private static final String PREFIX = "data:image/svg+xml;base64,";

    private QrImages() {
    }

    /** "x,y" of every dark square the image draws, quiet zone included in the offsets. */
    public static Set<String> modules(String dataUri) {
        if (!dataUri.startsWith(PREFIX)) {
            throw new AssertionError("not an SVG data URI: " + dataUri.substring(0, Math.min(40, dataUri.length())));
        }
        String svg = new String(Base64.getDecoder().decode(dataUri.substring(PREFIX.length())), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z").matcher(svg);
        Set<String> dark = new HashSet<>();
        while (m.find()) {
            dark.add(m.group(1) + "," + m.group(2));
        }
        return dark;
    }

    /** The dark modules of {@code text} encoded as the sample does (level M, a 4-module quiet zone). */
    public static Set<String> modulesOf(String text) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        Set<String> dark = new HashSet<>();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    dark.add((x + 4) + "," + (y + 4));
                }
            }
        }
        if (dark.isEmpty()) {
            throw new AssertionError("nothing encoded");
        }
        return dark;
    }
}
