namespace PolicyBot.Search.Analysis;

/// <summary>
/// The Porter (1980) suffix-stripping stemmer, as in Lucene's PorterStemFilter. Input must be lower-case ASCII
/// letters; anything else is returned unchanged. Not thread-safe: use one instance per thread.
/// </summary>
internal sealed class PorterStemmer
{
    private char[] _b = new char[64];
    private int _k;
    private int _j;

    public string Stem(string word)
    {
        if (word.Length <= 2)
        {
            return word;
        }

        foreach (var c in word)
        {
            if (c < 'a' || c > 'z')
            {
                return word;
            }
        }

        if (_b.Length < word.Length + 1)
        {
            _b = new char[word.Length + 16];
        }

        word.CopyTo(0, _b, 0, word.Length);
        _k = word.Length - 1;
        Step1ab();
        if (_k > 0)
        {
            Step1c();
            Step2();
            Step3();
            Step4();
            Step5();
        }

        return _k + 1 == word.Length && word.AsSpan().SequenceEqual(_b.AsSpan(0, _k + 1)) ? word : new string(_b, 0, _k + 1);
    }

    private bool Cons(int i) => _b[i] switch
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
            if (i > _j)
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
                if (i > _j)
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
                if (i > _j)
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
        for (var i = 0; i <= _j; i++)
        {
            if (!Cons(i))
            {
                return true;
            }
        }

        return false;
    }

    private bool DoubleC(int j) => j >= 1 && _b[j] == _b[j - 1] && Cons(j);

    private bool Cvc(int i)
    {
        if (i < 2 || !Cons(i) || Cons(i - 1) || !Cons(i - 2))
        {
            return false;
        }

        var ch = _b[i];
        return ch != 'w' && ch != 'x' && ch != 'y';
    }

    private bool Ends(string s)
    {
        var l = s.Length;
        var o = _k - l + 1;
        if (o < 0)
        {
            return false;
        }

        for (var i = 0; i < l; i++)
        {
            if (_b[o + i] != s[i])
            {
                return false;
            }
        }

        _j = _k - l;
        return true;
    }

    private void SetTo(string s)
    {
        var l = s.Length;
        var o = _j + 1;
        for (var i = 0; i < l; i++)
        {
            _b[o + i] = s[i];
        }

        _k = _j + l;
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
        if (_b[_k] == 's')
        {
            if (Ends("sses"))
            {
                _k -= 2;
            }
            else if (Ends("ies"))
            {
                SetTo("i");
            }
            else if (_b[_k - 1] != 's')
            {
                _k--;
            }
        }

        if (Ends("eed"))
        {
            if (M() > 0)
            {
                _k--;
            }
        }
        else if ((Ends("ed") || Ends("ing")) && VowelInStem())
        {
            _k = _j;
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
            else if (DoubleC(_k))
            {
                _k--;
                var ch = _b[_k];
                if (ch == 'l' || ch == 's' || ch == 'z')
                {
                    _k++;
                }
            }
            else if (M() == 1 && Cvc(_k))
            {
                SetTo("e");
            }
        }
    }

    private void Step1c()
    {
        if (Ends("y") && VowelInStem())
        {
            _b[_k] = 'i';
        }
    }

    private void Step2()
    {
        if (_k == 0)
        {
            return;
        }

        switch (_b[_k - 1])
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
        switch (_b[_k])
        {
            case 'e':
                if (Ends("icate")) { R("ic"); break; }
                if (Ends("ative")) { R(""); break; }
                if (Ends("alize")) { R("al"); }
                break;
            case 'i':
                if (Ends("iciti")) { R("ic"); }
                break;
            case 'l':
                if (Ends("ical")) { R("ic"); break; }
                if (Ends("ful")) { R(""); }
                break;
            case 's':
                if (Ends("ness")) { R(""); }
                break;
        }
    }

    private void Step4()
    {
        if (_k == 0)
        {
            return;
        }

        switch (_b[_k - 1])
        {
            case 'a':
                if (Ends("al")) { break; }
                return;
            case 'c':
                if (Ends("ance") || Ends("ence")) { break; }
                return;
            case 'e':
                if (Ends("er")) { break; }
                return;
            case 'i':
                if (Ends("ic")) { break; }
                return;
            case 'l':
                if (Ends("able") || Ends("ible")) { break; }
                return;
            case 'n':
                if (Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent")) { break; }
                return;
            case 'o':
                if (Ends("ion") && _j >= 0 && (_b[_j] == 's' || _b[_j] == 't')) { break; }
                if (Ends("ou")) { break; }
                return;
            case 's':
                if (Ends("ism")) { break; }
                return;
            case 't':
                if (Ends("ate") || Ends("iti")) { break; }
                return;
            case 'u':
                if (Ends("ous")) { break; }
                return;
            case 'v':
                if (Ends("ive")) { break; }
                return;
            case 'z':
                if (Ends("ize")) { break; }
                return;
            default:
                return;
        }

        if (M() > 1)
        {
            _k = _j;
        }
    }

    private void Step5()
    {
        _j = _k;
        if (_b[_k] == 'e')
        {
            var a = M();
            if (a > 1 || (a == 1 && !Cvc(_k - 1)))
            {
                _k--;
            }
        }

        if (_b[_k] == 'l' && DoubleC(_k) && M() > 1)
        {
            _k--;
        }
    }
}
