// Prints what java.util.Properties or java.util.jar.Manifest (main section)
// read from a file: one line per key, key and value in Base64 (UTF-8).
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Manifest;

public class Dump {
  static String b64(Object o) {
    return Base64.getEncoder().encodeToString(String.valueOf(o).getBytes(StandardCharsets.UTF_8));
  }

  public static void main(String[] args) throws Exception {
    try (InputStream in = new FileInputStream(args[1])) {
      if (args[0].equals("properties")) {
        Properties p = new Properties();
        p.load(in);
        for (String k : p.stringPropertyNames()) System.out.println(b64(k) + " " + b64(p.getProperty(k)));
      } else {
        Manifest m = new Manifest(in);
        for (Map.Entry<Object, Object> e : m.getMainAttributes().entrySet()) {
          System.out.println(b64(e.getKey()) + " " + b64(e.getValue()));
        }
      }
    }
  }
}
