namespace Moat.Search.Text;

/// <summary>
/// The Porter (1980) English stemmer, after Martin Porter's reference implementation: steps 1a–5b
/// over a lower-case ASCII word. Words with other characters, or of two letters or fewer, are
/// returned unchanged. Not thread-affine: one instance per call chain (it keeps a work buffer).
/// </summary>
public sealed class PorterStemmer
{
    private char[] b = new char[64];
    private int k;
    private int j;

    public string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 2)
        {
            return word;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return word;
            }
        }

        if (b.Length < word.Length + 1)
        {
            b = new char[word.Length * 2];
        }

        word.CopyTo(0, b, 0, word.Length);
        k = word.Length - 1;
        Step1ab();
        if (k > 0)
        {
            Step1c();
            Step2();
            Step3();
            Step4();
            Step5();
        }

        return k + 1 == word.Length && word.AsSpan().SequenceEqual(b.AsSpan(0, k + 1)) ? word : new string(b, 0, k + 1);
    }

    private bool Cons(int i) => b[i] switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => i == 0 || !Cons(i - 1),
        _ => true,
    };

    // m() measures the number of consonant sequences between 0 and j.
    private int M()
    {
        var n = 0;
        var i = 0;
        while (true)
        {
            if (i > j)
            {
                return n;
            }

            if (!Cons(i))
            {
                break;
            }

            i++;
        }

        i++;
        while (true)
        {
            while (true)
            {
                if (i > j)
                {
                    return n;
                }

                if (Cons(i))
                {
                    break;
                }

                i++;
            }

            i++;
            n++;
            while (true)
            {
                if (i > j)
                {
                    return n;
                }

                if (!Cons(i))
                {
                    break;
                }

                i++;
            }

            i++;
        }
    }

    private bool VowelInStem()
    {
        for (var i = 0; i <= j; i++)
        {
            if (!Cons(i))
            {
                return true;
            }
        }

        return false;
    }

    private bool DoubleC(int i) => i >= 1 && b[i] == b[i - 1] && Cons(i);

    // cvc(i) is true when i-2,i-1,i is consonant-vowel-consonant and the last is not w, x or y.
    private bool Cvc(int i)
    {
        if (i < 2 || !Cons(i) || Cons(i - 1) || !Cons(i - 2))
        {
            return false;
        }

        return b[i] is not ('w' or 'x' or 'y');
    }

    private bool Ends(string s)
    {
        var l = s.Length;
        if (l > k + 1 || !b.AsSpan(k - l + 1, l).SequenceEqual(s))
        {
            return false;
        }

        j = k - l;
        return true;
    }

    private void SetTo(string s)
    {
        s.CopyTo(0, b, j + 1, s.Length);
        k = j + s.Length;
    }

    private void R(string s)
    {
        if (M() > 0)
        {
            SetTo(s);
        }
    }

    private void Step1ab()
    {
        if (b[k] == 's')
        {
            if (Ends("sses"))
            {
                k -= 2;
            }
            else if (Ends("ies"))
            {
                SetTo("i");
            }
            else if (b[k - 1] != 's')
            {
                k--;
            }
        }

        if (Ends("eed"))
        {
            if (M() > 0)
            {
                k--;
            }
        }
        else if ((Ends("ed") || Ends("ing")) && VowelInStem())
        {
            k = j;
            if (Ends("at"))
            {
                SetTo("ate");
            }
            else if (Ends("bl"))
            {
                SetTo("ble");
            }
            else if (Ends("iz"))
            {
                SetTo("ize");
            }
            else if (DoubleC(k))
            {
                k--;
                if (b[k] is 'l' or 's' or 'z')
                {
                    k++;
                }
            }
            else if (M() == 1 && Cvc(k))
            {
                SetTo("e");
            }
        }
    }

    private void Step1c()
    {
        if (Ends("y") && VowelInStem())
        {
            b[k] = 'i';
        }
    }

    private void Step2()
    {
        if (k == 0)
        {
            return;
        }

        switch (b[k - 1])
        {
            case 'a':
                if (Ends("ational")) { R("ate"); break; }
                if (Ends("tional")) { R("tion"); }
                break;
            case 'c':
                if (Ends("enci")) { R("ence"); break; }
                if (Ends("anci")) { R("ance"); }
                break;
            case 'e':
                if (Ends("izer")) { R("ize"); }
                break;
            case 'l':
                if (Ends("bli")) { R("ble"); break; }
                if (Ends("alli")) { R("al"); break; }
                if (Ends("entli")) { R("ent"); break; }
                if (Ends("eli")) { R("e"); break; }
                if (Ends("ousli")) { R("ous"); }
                break;
            case 'o':
                if (Ends("ization")) { R("ize"); break; }
                if (Ends("ation")) { R("ate"); break; }
                if (Ends("ator")) { R("ate"); }
                break;
            case 's':
                if (Ends("alism")) { R("al"); break; }
                if (Ends("iveness")) { R("ive"); break; }
                if (Ends("fulness")) { R("ful"); break; }
                if (Ends("ousness")) { R("ous"); }
                break;
            case 't':
                if (Ends("aliti")) { R("al"); break; }
                if (Ends("iviti")) { R("ive"); break; }
                if (Ends("biliti")) { R("ble"); }
                break;
            case 'g':
                if (Ends("logi")) { R("log"); }
                break;
        }
    }

    private void Step3()
    {
        switch (b[k])
        {
            case 'e':
                if (Ends("icate")) { R("ic"); break; }
                if (Ends("ative")) { R(string.Empty); break; }
                if (Ends("alize")) { R("al"); }
                break;
            case 'i':
                if (Ends("iciti")) { R("ic"); }
                break;
            case 'l':
                if (Ends("ical")) { R("ic"); break; }
                if (Ends("ful")) { R(string.Empty); }
                break;
            case 's':
                if (Ends("ness")) { R(string.Empty); }
                break;
        }
    }

    private void Step4()
    {
        if (k == 0)
        {
            return;
        }

        var matched = b[k - 1] switch
        {
            'a' => Ends("al"),
            'c' => Ends("ance") || Ends("ence"),
            'e' => Ends("er"),
            'i' => Ends("ic"),
            'l' => Ends("able") || Ends("ible"),
            'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
            'o' => (Ends("ion") && j >= 0 && b[j] is 's' or 't') || Ends("ou"),
            's' => Ends("ism"),
            't' => Ends("ate") || Ends("iti"),
            'u' => Ends("ous"),
            'v' => Ends("ive"),
            'z' => Ends("ize"),
            _ => false,
        };
        if (matched && M() > 1)
        {
            k = j;
        }
    }

    private void Step5()
    {
        j = k;
        if (b[k] == 'e')
        {
            var a = M();
            if (a > 1 || (a == 1 && !Cvc(k - 1)))
            {
                k--;
            }
        }

        if (b[k] == 'l' && DoubleC(k) && M() > 1)
        {
            k--;
        }
    }
}
